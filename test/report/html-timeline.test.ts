/**
 * The --html timeline page, looked at the way a person would: rendered in
 * headless Chromium (Debian's `chromium`, driven by playwright-core). The
 * test fails if a lane is missing, if any two labels (lane names, lock
 * names, notes, what a stuck task does forever) overlap, or if zoom does
 * nothing. Pages: the ABBA deadlock, the VT-d 0-count lockup (notes that
 * used to collide) and the omap4 boot (nested lock bars that used to be
 * told apart only by hovering). Without Chromium it says plainly that it
 * skipped.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { chromium, type Page } from 'playwright-core';
import { explore, runOnce, type CapturedRun } from '../../src/explore/index.js';
import { renderHtmlTimeline } from '../../src/report/index.js';
import { resolveTarget } from '../../src/cli/targets.js';
import { builtinCatalog } from '../support/builtin-catalog.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

interface Page_ {
  name: string;
  run: CapturedRun;
  html: string;
  /** The tasks that must each have a lane: every task with a step beyond the scenario's own setup. */
  lanes: number[];
}

async function page(name: string, variant: string | undefined, boot = false): Promise<Page_> {
  const target = await resolveTarget(builtinCatalog, { name, kernel: variant });
  const run = boot ? await runOnce(target.scenario) : (await explore(target.scenario)).failures.find((f) => f.report.fatal)!.run;
  const html = renderHtmlTimeline(run, name, { release: target.variant, names: target.taskNames });
  const lanes = [...new Set(run.trace.filter((s) => s.pid !== 1 || s.op !== 'start()').map((s) => s.pid))];
  return { name, run, html, lanes };
}

/** The pages, made one after the other (explorations cannot run at the same time). */
async function PAGES(): Promise<Page_[]> {
  return [await page('abba', undefined), await page('qi-zero-count', 'v6.11'), await page('omap4', 'v6.5', true)];
}

describe('the HTML timeline page', () => {
  test('is self-contained, names the kernel variant, and draws locks, waits and flows', async () => {
    const [abba, qi, omap] = await PAGES();
    for (const p of [abba!, qi!]) expect(p.html).not.toMatch(/<script[^>]+src=|(src|href)="https?:/);
    expect(abba!.html.match(/<g class="lane thread"/g)).toHaveLength(2);
    expect(abba!.html).toMatch(/<text class="label lock-label"[^>]*>lock_a<\/text>/);
    expect(abba!.html).toMatch(/class="wait blocked forever"/);
    expect(omap!.html).toContain('class="flow unlock"');
    expect(qi!.html).toContain('Not tainted v6.11 #1');
    expect(qi!.html).not.toContain('Not tainted kemu #1');
    expect(qi!.html).toContain('cpu1 = T2 · CPU1');
    expect(qi!.html).toMatch(/class="label note forever spinning"[^>]*>polls dmar0\.qi-&gt;desc_status\[2\] = QI_FREE/);
    expect(qi!.html).toContain('class="flow write"');
    // Notes are never cut short.
    expect(qi!.html).toContain('sees WD1 == QI_DONE; ID1 := QI_DONE; reclaim(): frees slot 0, 1, 2 (WD2!)');
  });
});

/** Label boxes that intersect, as `a | b` texts. */
async function overlappingLabels(tab: Page): Promise<string[]> {
  const boxes = await tab.locator('svg#timeline .label').evaluateAll((els) => els.map((el) => {
    const r = el.getBoundingClientRect();
    return { text: el.textContent ?? '', l: r.left, r: r.right, t: r.top, b: r.bottom };
  }));
  const hits: string[] = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
    if (a.l < b.r - 0.5 && b.l < a.r - 0.5 && a.t < b.b - 0.5 && b.t < a.b - 0.5) hits.push(`${a.text} | ${b.text}`);
  }));
  return hits;
}

describe.skipIf(!haveChromium)('the page in headless Chromium', () => {
  test('every lane is there, no two labels overlap, and zoom scales the drawing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kemu-html-'));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      for (const p of await PAGES()) {
        const file = join(dir, `${p.name}.html`);
        writeFileSync(file, p.html);
        const tab = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        await tab.goto(`file://${file}`);
        const lanes = await tab.locator('svg#timeline .lane').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-pid'))));
        expect(lanes.sort(), `${p.name}: lanes`).toEqual([...p.lanes].sort());
        expect(await tab.locator('svg#timeline .label').count(), `${p.name}: labels`).toBeGreaterThan(p.lanes.length);
        expect(await overlappingLabels(tab), `${p.name}: overlapping labels`).toEqual([]);
        const before = (await tab.locator('svg#timeline').boundingBox())!.width;
        await tab.click('#zoom-in');
        expect((await tab.locator('svg#timeline').boundingBox())!.width, `${p.name}: zoom`).toBeGreaterThan(before * 1.2);
        if (process.env.KEMU_KEEP_SCREENSHOT) await tab.locator('svg#timeline').screenshot({ path: join(process.env.KEMU_KEEP_SCREENSHOT, `${p.name}.png`) });
        await tab.close();
      }
    } finally {
      await browser.close();
    }
  }, 60_000);

  test('the overlap check can fail: two notes drawn on one spot are caught', async () => {
    const [abba] = await PAGES();
    const clash = abba!.html.replace('</svg>', '<text class="label note" x="200" y="40">one note</text><text class="label note" x="205" y="42">another</text></svg>');
    const file = join(mkdtempSync(join(tmpdir(), 'kemu-html-')), 'clash.html');
    writeFileSync(file, clash);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const tab = await browser.newPage();
      await tab.goto(`file://${file}`);
      expect(await overlappingLabels(tab)).toContain('one note | another');
    } finally {
      await browser.close();
    }
  }, 60_000);
});

if (!haveChromium) {
  test.skip('Chromium not installed (apt-get install chromium): the HTML page was not checked in a browser', () => {});
}
