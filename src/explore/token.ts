/**
 * Replay tokens: a run's schedule as a short string. A schedule is stored as
 * segments (a task and how many consecutive steps it ran), each with the kind
 * of its first operation and a hash of all its operations, so a replay that no
 * longer fits the code stops at the segment where it diverges and says how.
 *
 * Format: `k1.` + base64url of unsigned LEB128 varints:
 *   segmentCount, then per segment: pid, length, firstOpKind, opHash (8 bits).
 */
import { KemuError } from '../kernel/errors.js';

export interface Segment {
  pid: number;
  length: number;
  firstOp: number;
  opHash: number;
}

const PREFIX = 'k1.';

export function segmentHash(ops: readonly number[], from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ ops[i]!, 16777619);
  return (h ^ (h >>> 8) ^ (h >>> 16) ^ (h >>> 24)) & 0xff;
}

export function toSegments(pids: readonly number[], ops: readonly number[]): Segment[] {
  const segments: Segment[] = [];
  let start = 0;
  for (let i = 1; i <= pids.length; i++) {
    if (i === pids.length || pids[i] !== pids[start]) {
      segments.push({ pid: pids[start]!, length: i - start, firstOp: ops[start]!, opHash: segmentHash(ops, start, i) });
      start = i;
    }
  }
  return segments;
}

function pushVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

export function encodeToken(segments: readonly Segment[]): string {
  const bytes: number[] = [];
  pushVarint(bytes, segments.length);
  for (const s of segments) {
    pushVarint(bytes, s.pid);
    pushVarint(bytes, s.length);
    pushVarint(bytes, s.firstOp);
    bytes.push(s.opHash);
  }
  return PREFIX + Buffer.from(bytes).toString('base64url');
}

export function decodeToken(token: string): Segment[] {
  const fail = (why: string): never => {
    throw new KemuError('bad-usage', `not a kemu replay token (${why}): ${token.length > 60 ? token.slice(0, 60) + '…' : token}`);
  };
  if (!token.startsWith(PREFIX)) fail(`it should start with "${PREFIX}"`);
  const body = token.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]*$/.test(body)) fail('it has characters outside base64url');
  const bytes = Buffer.from(body, 'base64url');
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= bytes.length) fail('it is truncated');
      const b = bytes[at++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
  };
  const count = varint();
  const segments: Segment[] = [];
  for (let i = 0; i < count; i++) {
    const pid = varint();
    const length = varint();
    const firstOp = varint();
    if (at >= bytes.length) fail('it is truncated');
    segments.push({ pid, length, firstOp, opHash: bytes[at++]! });
  }
  if (at !== bytes.length) fail('it has trailing bytes');
  return segments;
}
