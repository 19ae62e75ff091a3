// axe-core in the browser tests: the WCAG 2.1 A/AA violations of the page a test is on.
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

/** axe-core's WCAG 2.1 A/AA violations on the current page: rule id and the offending elements. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated by the test driver, not as a page script: the pages' CSP forbids inline scripts (and must).
  await page.evaluate(axeSource);
  const result = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })`)) as {
    violations: { id: string; nodes: { target: string[] }[] }[];
  };
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
