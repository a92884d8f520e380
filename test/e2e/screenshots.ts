/**
 * Screenshots of every screen at 1280×800 and 1920×1080 into test-results/screens/.
 * Usage: tsx test/e2e/screenshots.ts <base-url-with-#token=...> [scenario-capable mock: 1|0]
 */
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:7899/#token=mock-token';
const useMock = (process.argv[3] ?? '1') === '1';
const only = process.argv[4];
const out = 'test-results/screens';
mkdirSync(out, { recursive: true });

const origin = new URL(base).origin;
const token = new URL(base).hash.replace(/^#token=/, '');
const shots: { name: string; route: string; scenario?: string; wait?: number; dark?: boolean }[] = [
  { name: 'charts', route: 'charts' },
  { name: 'charts-dark', route: 'charts', dark: true },
  { name: 'activity', route: 'activity' },
  { name: 'activity-dark', route: 'activity', dark: true },
  { name: 'cassandra-dark', route: 'cassandra', dark: true },
  { name: 'sources', route: 'sources' },
  { name: 'stack', route: 'stack' },
  { name: 'stack-firstrun', route: 'stack', scenario: 'firstrun' },
  { name: 'stack-pulling', route: 'stack', scenario: 'pulling' },
  { name: 'stack-cannotpull', route: 'stack', scenario: 'cannotpull' },
  { name: 'stack-fellback', route: 'stack', scenario: 'fellback' },
  { name: 'github-app-setup', route: 'account', scenario: 'firstrun' },
  { name: 'signin', route: 'account', scenario: 'signedout' },
  { name: 'account', route: 'account' },
  { name: 'charts-empty', route: 'charts', scenario: 'empty' },
  { name: 'logs', route: 'logs' },
  { name: 'kafka', route: 'kafka' },
  { name: 'cassandra', route: 'cassandra' },
  { name: 'redis', route: 'redis' },
];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  for (const size of [{ width: 1280, height: 800 }, { width: 1920, height: 1080 }]) {
    for (const s of shots) {
      if (only && !s.name.startsWith(only)) continue;
      if (useMock) await fetch(`${origin}/__mock/reset?scenario=${s.scenario ?? 'running'}`);
      const ctx = await browser.newContext({ viewport: size, colorScheme: s.dark ? 'dark' : 'light' });
      const page = await ctx.newPage();
      page.on('pageerror', (e) => console.error(`[${s.name}] page error:`, e.message));
      await page.goto(`${origin}/#token=${token}`);
      await page.evaluate((r) => ((globalThis as unknown as { location: { hash: string } }).location.hash = `#/${r}`), s.route);
      if (s.name === 'signin') {
        await page.getByRole('button', { name: 'Sign in with GitHub' }).last().click();
      }
      await page.waitForTimeout(s.wait ?? 1500);
      await page.screenshot({ path: `${out}/${s.name}-${size.width}x${size.height}.png` });
      await ctx.close();
    }
  }
} finally {
  await browser.close();
}
console.log(`screenshots in ${out}/`);
