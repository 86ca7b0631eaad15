/**
 * Sharing a terminal's width among the columns of a table or timeline:
 * columns that fit keep their natural width, and the room left is shared
 * evenly among the wider ones, which then wrap.
 */

/** Widths for columns of `natural` width that add up to at most `room` (each at least `min`). */
export function fitWidths(natural: readonly number[], room: number, min = 6): number[] {
  const fitted = [...natural];
  if (natural.reduce((a, b) => a + b, 0) <= room) return fitted;
  let left = room;
  const narrowFirst = natural.map((w, i) => [w, i] as const).sort((a, b) => a[0] - b[0]);
  narrowFirst.forEach(([w, i], k) => {
    fitted[i] = Math.max(min, Math.min(w, Math.floor(left / (narrowFirst.length - k))));
    left -= fitted[i]!;
  });
  return fitted;
}
