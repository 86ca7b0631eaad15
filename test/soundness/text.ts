/** Numbers in the harness's messages: `1 schedule`, `12,345 programs`. */

/** A number with thousands separators. */
export function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

/** A count with its noun, singular or plural as the count requires. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatNumber(n)} ${n === 1 ? singular : plural}`;
}
