/**
 * Claims in a shared directory (src/explore/claim-directory.ts): each leaf
 * goes to exactly one shard, a restarted shard keeps its own claims, and a
 * directory of another exploration is refused.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ClaimDirectory, type ClaimSpec } from '../../src/explore/claim-directory.js';

const freshSpec = (exploration = 'qi [1,1,0] v6.12'): ClaimSpec => ({ directory: join(mkdtempSync(join(tmpdir(), 'kemu-claims-')), 'claims'), exploration });

describe('claims in a shared directory', () => {
  test('each leaf goes to the first shard to ask, and only to it', () => {
    const spec = freshSpec();
    const shards = [new ClaimDirectory(spec, 0), new ClaimDirectory(spec, 1), new ClaimDirectory(spec, 2)];
    const owner = new Map<number, number>();
    // The shards ask in a scrambled order, each about every leaf, as shards that walk the same top at their own pace do.
    for (let round = 0; round < 3 * 40; round++) {
      const shard = (round * 7) % 3;
      const leaf = (round * 13) % 40;
      if (shards[shard]!.claim(leaf)) {
        expect(owner.get(leaf) ?? shard).toBe(shard);
        owner.set(leaf, shard);
      }
    }
    for (let leaf = 0; leaf < 40; leaf++) {
      const owners = shards.map((s, i) => (s.claim(leaf) ? i : -1)).filter((i) => i >= 0);
      expect(owners).toHaveLength(1);
      if (owner.has(leaf)) expect(owners[0]).toBe(owner.get(leaf));
    }
    expect(new Set(owner.values()).size).toBe(3);
  });

  test('a shard started again owns the leaves it claimed before, and not the others', () => {
    const spec = freshSpec();
    const first = new ClaimDirectory(spec, 0);
    const other = new ClaimDirectory(spec, 1);
    expect([first.claim(0), other.claim(1), first.claim(2)]).toEqual([true, true, true]);
    const restarted = new ClaimDirectory(spec, 0);
    expect([restarted.claim(0), restarted.claim(1), restarted.claim(2), restarted.claim(3)]).toEqual([true, false, true, true]);
    expect(other.claim(3)).toBe(false);
    expect(readdirSync(spec.directory).filter((f) => f.startsWith('leaf-')).sort()).toEqual(['leaf-0', 'leaf-1', 'leaf-2', 'leaf-3']);
  });

  test('a shard goes on to another file of its own when one has taken its share of claims, and knows them all after a restart', () => {
    const spec = freshSpec();
    const full = new ClaimDirectory(spec, 0, 2);
    const other = new ClaimDirectory(spec, 1, 2);
    expect([0, 1, 2, 3, 4].map((leaf) => full.claim(leaf))).toEqual([true, true, true, true, true]);
    expect(other.claim(5)).toBe(true);
    const files = readdirSync(spec.directory).filter((f) => f.startsWith('shard-1')).sort();
    expect(files).toEqual(['shard-1', 'shard-1.2', 'shard-1.3']);
    const restarted = new ClaimDirectory(spec, 0, 2);
    expect([0, 1, 2, 3, 4, 5, 6].map((leaf) => restarted.claim(leaf))).toEqual([true, true, true, true, true, false, true]);
  });

  test('two processes with one index at once: each knows the files the other started as its own', () => {
    const spec = freshSpec();
    const pod = new ClaimDirectory(spec, 0, 2);
    const replacement = new ClaimDirectory(spec, 0, 2);
    expect([0, 1, 2].map((leaf) => pod.claim(leaf))).toEqual([true, true, true]);
    expect(readdirSync(spec.directory).filter((f) => f.startsWith('shard-1')).sort()).toEqual(['shard-1', 'shard-1.2']);
    // Leaf 2 links to shard-1.2, which the replacement has not opened.
    expect([0, 1, 2, 3].map((leaf) => replacement.claim(leaf))).toEqual([true, true, true, true]);
    expect(new ClaimDirectory(spec, 1, 2).claim(3)).toBe(false);
  });

  test('a directory that holds another exploration\'s claims is refused, naming both', () => {
    const spec = freshSpec('qi [1,1,0] v6.12');
    new ClaimDirectory(spec, 0).claim(0);
    expect(() => new ClaimDirectory({ ...spec, exploration: 'qi [1,1,1,0] v6.12' }, 1))
      .toThrow(/--claims .*claims: it holds the claims of another exploration \(qi \[1,1,0\] v6\.12\); give each exploration a directory of its own/);
  });

  test('a path that cannot be a directory says so', () => {
    const parent = mkdtempSync(join(tmpdir(), 'kemu-claims-'));
    writeFileSync(join(parent, 'file'), '');
    expect(() => new ClaimDirectory({ directory: join(parent, 'file', 'claims'), exploration: 'x' }, 0)).toThrow(/--claims .*: cannot make the directory \(ENOTDIR\)/);
  });
});
