/**
 * The --html timeline page, looked at the way a person would: rendered in
 * headless Chromium (Debian's `chromium`, driven by playwright-core), with a
 * screenshot. The test fails if the timeline is missing from the page. Without
 * Chromium it says plainly that it skipped.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { chromium } from 'playwright-core';
import { explore } from '../../src/explore/index.js';
import { renderHtmlTimeline } from '../../src/report/index.js';
import { abba } from '../../src/examples/classic-scenarios.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

async function abbaPage(): Promise<string> {
  const result = await explore(abba);
  const hang = result.failures.find((f) => f.kind === 'hung-task')!;
  return renderHtmlTimeline(hang.run, 'abba: hung task');
}

describe('the HTML timeline page', () => {
  test('is self-contained: an SVG timeline with a lane per task, lock spans and the report', async () => {
    const html = await abbaPage();
    expect(html).toContain('<svg id="timeline"');
    expect(html.match(/<g class="lane thread"/g)).toHaveLength(2);
    expect(html).toContain('class="lock-span"');
    expect(html).toContain('INFO: task cpu');
    expect(html).not.toMatch(/<script|(src|href)="https?:/);
  });

  test.skipIf(!haveChromium)('renders in headless Chromium, and the screenshot shows the timeline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kemu-html-'));
    const page = join(dir, 'abba.html');
    writeFileSync(page, await abbaPage());
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    try {
      const tab = await browser.newPage({ viewport: { width: 1200, height: 800 } });
      await tab.goto(`file://${page}`);
      const timeline = tab.locator('svg#timeline');
      await expect(timeline.count()).resolves.toBe(1);
      const box = await timeline.boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(box!.height).toBeGreaterThan(100);
      expect(await tab.locator('svg#timeline .lane').count()).toBe(2);
      expect(await tab.locator('svg#timeline .step').count()).toBeGreaterThanOrEqual(4);
      const shot = join(dir, 'abba.png');
      await timeline.screenshot({ path: shot });
      if (process.env.KEMU_KEEP_SCREENSHOT) writeFileSync(process.env.KEMU_KEEP_SCREENSHOT, readFileSync(shot));
      expect(statSync(shot).size).toBeGreaterThan(2000);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

if (!haveChromium) {
  test.skip('Chromium not installed (apt-get install chromium): the HTML page was not checked in a browser', () => {});
}
