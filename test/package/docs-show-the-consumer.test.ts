/**
 * docs/your-own-driver.md shows the consumer project's files whole, each
 * after a `<!-- file: PATH -->` marker; the pack test runs those files. This
 * keeps the page and the files that run one and the same.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const page = readFileSync(join(root, 'docs', 'your-own-driver.md'), 'utf8');
const shown = [...page.matchAll(/<!-- file: (\S+) -->\n```\w*\n([\s\S]*?)\n```/g)].map((m) => ({ path: m[1]!, body: m[2]! }));

test('the page shows every file of the consumer project', () => {
  expect(shown.map((s) => s.path).sort()).toEqual(['my-boards.ts', 'rk-iommu.ts', 'rk-vop.ts', 'rk3399.dts', 'rk3399.test.ts', 'tsconfig.json']
    .map((f) => `test/package/consumer/${f}`));
});

for (const { path, body } of shown) {
  test(`${path} is shown as it is`, () => {
    expect(body).toBe(readFileSync(join(root, path), 'utf8').trimEnd());
  });
}
