// Helpers the browser tests and the screenshot scripts share: signing in through the form, axe-core's serious and
// critical violations on a page, and where screenshots go.
import { readFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const screenshots = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'screenshots');
mkdirSync(screenshots, { recursive: true });

export async function signIn(page, parley, slug, email, password) {
  await page.goto(parley.url(slug, '/login'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Password').press('Enter');
  await page.waitForURL(/\/tickets$/);
}

/** Runs axe-core inside the page; returns the serious and critical violations. */
export async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** An API answer's body, or an error with its status. */
export function ok(r) {
  if (r.status >= 300) throw new Error(`${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** For the screenshot scripts: `check(page, what)` keeps a page's violations; `report()` prints them and fails. */
export function violations() {
  const problems = [];
  return {
    check: async (page, what) => {
      const v = await axeViolations(page);
      if (v.length) problems.push({ what, v });
    },
    report: () => {
      if (problems.length) {
        console.error(JSON.stringify(problems, null, 2));
        process.exit(1);
      }
      console.log('screenshots written to', screenshots);
    },
  };
}
