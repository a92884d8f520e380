/**
 * Every view of the UI, light and dark, through axe-core's WCAG 2.1 AA rules,
 * against the screenshot mock (`tsx test/e2e/mock-server.ts 7899` first).
 * Usage: tsx test/e2e/axe-views.ts [base-url-with-#token=...] [view-name-prefix]
 * Exit 1 with a report when any view has a violation. The e2e suite runs the
 * same check against `topk serve`.
 */
import { chromium } from 'playwright-core';
import { axeViolations, formatFindings } from './axe';

const base = process.argv[2] ?? 'http://127.0.0.1:7899/#token=mock-token';
const only = process.argv[3];
const origin = new URL(base).origin;
const token = new URL(base).hash.replace(/^#token=/, '');
const VIEWS: { route: string; scenario?: string; name: string; act?: 'signin' }[] = [
  { name: 'charts', route: 'charts' },
  { name: 'charts-empty', route: 'charts', scenario: 'empty' },
  { name: 'activity', route: 'activity' },
  { name: 'activity-empty', route: 'activity', scenario: 'empty' },
  { name: 'sources', route: 'sources' },
  { name: 'stack', route: 'stack' },
  { name: 'stack-firstrun', route: 'stack', scenario: 'firstrun' },
  { name: 'stack-pulling', route: 'stack', scenario: 'pulling' },
  { name: 'signin', route: 'account', scenario: 'firstrun', act: 'signin' },
  { name: 'account', route: 'account' },
  { name: 'logs', route: 'logs' },
  { name: 'kafka', route: 'kafka' },
  { name: 'cassandra', route: 'cassandra' },
  { name: 'redis', route: 'redis' },
];

const browser = await chromium.launch({
  executablePath: process.env.TOPK_E2E_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
let total = 0;
try {
  for (const dark of [false, true]) {
    for (const v of VIEWS) {
      if (only && !v.name.startsWith(only)) continue;
      await fetch(`${origin}/__mock/reset?scenario=${v.scenario ?? 'running'}`);
      const label = `${v.name}${dark ? ' (dark)' : ''}`;
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: dark ? 'dark' : 'light' });
      try {
        const page = await ctx.newPage();
        await page.goto(`${origin}/#token=${token}`);
        await page.evaluate((r) => ((globalThis as unknown as { location: { hash: string } }).location.hash = `#/${r}`), v.route);
        if (v.act === 'signin') await page.getByRole('button', { name: 'Sign in with GitHub' }).last().click();
        await page.waitForTimeout(1500);
        const found = await axeViolations(page);
        const n = found.reduce((s, f) => s + f.targets.length, 0);
        total += n;
        console.log(n ? formatFindings(label, found) : `${label}: no violations`);
      } catch (err) {
        total++;
        console.log(`${label}: not checked: ${(err as Error).message}`);
      } finally {
        await ctx.close().catch(() => undefined);
      }
    }
  }
} finally {
  await browser.close();
}
console.log(`${total} violating elements`);
process.exitCode = total ? 1 : 0;
