// "Why each rule" tours (core/src/presets.rs, WHY_RULES): the tour opens with every step's
// canary on; each step shows the checker stopping the run at a rule, and "Restore the rule"
// makes that failure disappear, step by step, until safety holds. On the shipped page (Ceph)
// and on the family page (Basic Paxos).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot, pageErrors } from './lib.mjs';
import { presets } from './links.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});


/** The `break` lines of a tour file, in order: the canaries its steps restore. */
function breaksOf(file) {
  const p = presets().find((x) => x.file === file);
  return [...p.text.matchAll(/^break (\S+)$/gm)].map((m) => m[1]);
}

const step = async (page) => Number(await page.locator('[data-why-step]').getAttribute('data-why-step'));
const verdict = (page) => page.locator('[data-why-verdict]').textContent();

/** Walks every step: returns the rule the checker named at each, and the last verdict. */
async function walk(page, steps, shot) {
  const rules = [];
  for (let k = 0; k < steps; k++) {
    await page.waitForFunction((k) => document.querySelector('[data-why-step]')?.dataset.whyStep === String(k), k);
    if (k === 0) await page.locator('[data-why="run"]').click();
    await page.waitForFunction(() => /checker stops the run/.test(document.querySelector('[data-why-verdict]').textContent));
    const m = /stops the run: (\S+) at/.exec(await verdict(page));
    rules.push(m[1]);
    // The invariants panel shows the same verdict.
    assert.equal(await page.locator('[data-invariants]').getAttribute('data-invariants'), 'violated');
    if (k > 0) assert.notEqual(rules[k], rules[k - 1], `step ${k}: the restored rule's failure is gone`);
    if (k === 1 && shot) await screenshot(page, shot, { fullPage: false });
    await page.locator('[data-why="restore"]').click();
  }
  await page.waitForFunction((n) => document.querySelector('[data-why-step]')?.dataset.whyStep === String(n), steps);
  await page.waitForFunction(() => /Safety holds/.test(document.querySelector('[data-why-verdict]').textContent));
  assert.equal(await page.locator('[data-invariants]').getAttribute('data-invariants'), 'ok');
  return rules;
}

test("Ceph's why-each-rule tour: each restored rule's failure disappears, then safety holds", async () => {
  const steps = breaksOf('why-ceph.scenario').length;
  const { page, context, errors } = await openPage(browser, '#tour=why-ceph');
  try {
    assert.equal(await step(page), 0);
    const rules = await walk(page, steps, 'why-rules-ceph-step');
    assert.equal(rules.length, steps);
    assert.equal(new Set(rules).size, rules.length, `one rule per step: ${rules}`);
    // Back one step: the last failure comes back.
    await page.locator('[data-why="back"]').click();
    await page.waitForFunction(() => /checker stops the run/.test(document.querySelector('[data-why-verdict]').textContent));
    assert.ok((await verdict(page)).includes(rules[steps - 1]));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("Basic Paxos's why-each-rule tour on the family page", async () => {
  const steps = breaksOf('why-bp.scenario').length;
  const { page, context, errors } = await openPage(browser, '#tour=why-bp');
  try {
    await page.waitForURL(/\/family\/#/);
    await page.waitForSelector('[data-why-step]');
    const rules = await walk(page, steps, 'why-rules-bp-step');
    assert.equal(rules.length, steps);
    assert.deepEqual(pageErrors(errors), []);
  } finally {
    await context.close();
  }
});
