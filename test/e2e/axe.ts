/**
 * WCAG 2.1 AA checks with axe-core, injected into a playwright-core page
 * (axe.min.js from node_modules; nothing is fetched). Used by the e2e suite and
 * by `tsx test/e2e/axe-views.ts` against the screenshot mock.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export interface AxeFinding {
  rule: string;
  impact: string | null;
  help: string;
  targets: string[];
  /** axe's summary of why the first element fails (contrast ratio, missing name, …) */
  why: string;
}

/** The WCAG 2.1 A/AA violations of what the page shows now, one entry per rule. */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  // evaluated through the DevTools protocol: the app's CSP (script-src 'self') stays on and still applies to the app
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> } }).axe;
    const r = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.map(String).join(' ')),
      why: (v.nodes[0]?.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 240),
    }));
  }, WCAG_AA_TAGS);
}

/** A readable report: rule, element count, first elements, why. */
export function formatFindings(view: string, findings: AxeFinding[]): string {
  return findings
    .map((f) => `${view}: ${f.rule} (${f.impact}) ×${f.targets.length} — ${f.help}\n    ${f.targets.slice(0, 4).join('\n    ')}\n    ${f.why}`)
    .join('\n');
}
