// Explained verdicts (issue 20): every run draws its client requests as lanes on one time
// axis with its faults and the playhead; on the family page (which checks the run's history),
// a run broken by a canary that no protocol rule catches (a CAS that ignores what it expects)
// is found not linearizable, and the panel names the request that cannot be placed; an invariant violation names its rule, its step and the
// facts that broke it, and "go to" seeks there.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot, SCREENSHOT_DIR } from './lib.mjs';
import { fragment, presets, timeMs } from './links.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const simTime = async (page) => Number(await page.locator('[data-sim-time-ms]').getAttribute('data-sim-time-ms'));

test('the timeline has a lane per client request and marks the faults', async () => {
  // Three requests; the leader is isolated, then healed: two faults, both before the playhead.
  const lines = ['paxoscope scenario v1', 'seed 1', 'end 60s', 'view t 55s node 0 speed 1.0 paused',
    'at 5s put 0 k v', 'at 5025ms isolate 0', 'at 30s put 1 k w', 'at 50s heal', 'at 52s get 2 k'];
  const requests = lines.filter((l) => /^at \S+ (put|get|cas) /.test(l)).length;
  const faults = lines.filter((l) => /^at \S+ (isolate|heal)\b/.test(l)).length;
  const { page, context, errors } = await openPage(browser, fragment(lines));
  try {
    const panel = page.locator('.verdicts');
    await panel.waitFor();
    assert.equal(await panel.locator('.history-timeline .lane-label').count(), requests);
    assert.equal(await panel.locator('.history-timeline .op').count(), requests);
    assert.equal(await panel.locator('.history-timeline line.fault').count(), faults);
    assert.equal(await panel.locator('.history-timeline line.playhead').count(), 1);
    assert.match(await panel.locator('[data-faults]').textContent(), /isolate 0.*heal/);
    await screenshot(page, 'verdicts-timeline');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a broken run is explained: the request that cannot be placed is named and marked', async () => {
  // x = a is written; the CAS expects b, so it must fail, but the canary applies it and the
  // read sees c: no order of the three explains that. Only the put can be ordered first.
  // (The run's history is checked on the family page: feature run-linearizability.)
  const { page, context, errors } = await openPage(browser, 'family/' + fragment(['paxoscope scenario v1', 'seed 1', 'end 12s',
    'view t 10s node 0 speed 1 paused', 'break cas-ignores-expected',
    'at 4s put 1 x a', 'at 6s cas 2 x b c', 'at 8s get 3 x']));
  try {
    const panel = page.locator('.verdicts');
    await page.waitForFunction(() => document.querySelector('.verdicts')?.dataset.lin === 'not-linearizable');
    const why = panel.locator('.lin-why');
    const cas = await panel.locator('.history-timeline .op', { hasText: 'cas x b to c' }).getAttribute('data-op');
    assert.equal(await why.getAttribute('data-unplaceable'), cas);
    assert.match(await why.textContent(), new RegExp(`Request ${cas} \\(cas x b to c\\) cannot be placed next: it needs x = b`));
    assert.match(await why.textContent(), /request 1 can be ordered first; the key then holds a/);
    assert.match(await panel.locator(`.op[data-op="${cas}"]`).getAttribute('class'), /blocked/);
    assert.match(await panel.locator('.op[data-op="1"]').getAttribute('class'), /ordered/);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'verdicts-not-linearizable', { fullPage: false });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the slow-clock tour ends with the read that saw the wrong value, flagged and explained', async () => {
  // Beyond the assumptions: the old leader, sure of its lease by a clock at half speed,
  // answers a read after the new leader committed a write to the same key. The family page
  // checks the history: the read cannot be placed, and the panel says what it saw.
  const tour = presets().find((p) => p.file === 'beyond-skew.scenario');
  const line = (re) => tour.text.split('\n').find((l) => re.test(l));
  const [, getAt, , , key] = line(/^at \S+ get /).split(' ');
  const [, , , , , written] = line(new RegExp(`^at \\S+ put \\d+ ${key} `)).split(' ');
  const text = tour.text.replace(/^view .*$/m, `view t ${timeMs(getAt) + 2000}ms node 0 speed 1 paused`).trim();
  const { page, context, errors } = await openPage(browser, 'family/' + fragment(text));
  try {
    const panel = page.locator('.verdicts');
    await page.waitForFunction(() => document.querySelector('.verdicts')?.dataset.lin === 'not-linearizable', null, { timeout: 30_000 });
    const why = panel.locator('.lin-why');
    const read = await panel.locator('.history-timeline .op', { hasText: `get ${key}` }).getAttribute('data-op');
    assert.equal(await why.getAttribute('data-wrong-read'), read);
    assert.equal(await why.getAttribute('data-unplaceable'), read);
    assert.match(await why.textContent(), new RegExp(`The read ${read} saw nothing \\(absent\\); while it ran, the key could only hold ${written}`));
    assert.match(await panel.locator(`.op[data-op="${read}"]`).getAttribute('class'), /wrong-read/);
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: `${SCREENSHOT_DIR}/verdicts-wrong-read.png` });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('an invariant violation shows its rule, its step and its facts, and "go to" seeks there', async () => {
  // The leader-fails tour with peons that read after their lease expired: the read at 14 s
  // (after the lease ran out at 13.078 s, as the tour says) breaks read-under-lease.
  const tour = presets().find((p) => p.file === 'leader-fails.scenario');
  const read = tour.text.split('\n').find((l) => /^at \S+ get 3 /.test(l) && timeMs(l.split(' ')[1]) > 13_078);
  const readMs = timeMs(read.split(' ')[1]);
  const text = tour.text.replace(/^view .*$/m, `view t ${readMs + 2000}ms node 3 speed 1 paused`)
    .replace(/^end .*$/m, (l) => `${l}\nbreak read-after-lease-expiry`).trim();
  const { page, context, errors } = await openPage(browser, fragment(text));
  try {
    const v = page.locator('[data-violation]');
    await v.waitFor();
    assert.equal(await v.getAttribute('data-violation'), 'read-under-lease');
    assert.equal((await v.locator('[data-rule]').textContent()).trim(), 'read-under-lease');
    const step = await v.locator('[data-step]').getAttribute('data-step');
    assert.match(await v.locator('[data-step]').textContent(), new RegExp(`event ${step} at ${readMs / 1000}\\.000 s, at mon\\.3`));
    assert.match(await v.locator('[data-facts]').textContent(), /answered a read at lc \d+ \d+ ms after its lease expired/);
    await screenshot(page, 'verdicts-violation', { fullPage: false });
    await page.getByLabel('Time', { exact: true }).fill('0');
    assert.equal(await simTime(page), 0);
    await v.locator('[data-goto-violation]').click();
    assert.equal(await simTime(page), readMs);
    assert.equal(await page.locator('[data-invariants]').getAttribute('data-invariants'), 'violated');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

// The shipped page carries no checker: it loads the history page's wasm when the Client
// operations panel is first on screen and asks it for the verdict (src/components/
// verdict_loader.rs). The verdict must be the family page's, word for word.
const CANARY = ['paxoscope scenario v1', 'seed 1', 'end 12s', 'view t 10s node 0 speed 1 paused',
  'break cas-ignores-expected', 'at 4s put 1 x a', 'at 6s cas 2 x b c', 'at 8s get 3 x'];
const FINAL = ['linearizable', 'not-linearizable', 'undecided'];

/** What the panel says of the verdict: data-lin, the badge, the account, each lane's part. */
async function verdictReadout(page) {
  await page.locator('.verdicts').scrollIntoViewIfNeeded();
  await page.waitForFunction((final) => final.includes(document.querySelector('.verdicts')?.dataset.lin), FINAL, { timeout: 30_000 });
  return page.evaluate(() => {
    const panel = document.querySelector('.verdicts');
    const why = panel.querySelector('.lin-why');
    return {
      lin: panel.dataset.lin,
      badge: panel.querySelector('.badge')?.textContent ?? null,
      said: [...panel.querySelectorAll('p')].map((p) => p.textContent).find((t) => /The history up to here is/.test(t))?.replace(/.*(The history up to here is [^.]*\.).*/, '$1'),
      why: why ? [...why.querySelectorAll('p')].map((p) => p.textContent) : null,
      unplaceable: why?.dataset.unplaceable ?? null,
      wrongRead: why?.dataset.wrongRead ?? null,
      parts: [...panel.querySelectorAll('.history-timeline .op')].map((o) => `${o.dataset.op}: ${o.getAttribute('class')}`),
    };
  });
}

/** Requests for the history page's files, as they are made. */
function historyRequests(page) {
  const seen = [];
  page.on('request', (r) => /\/history\//.test(r.url()) && seen.push(r.url()));
  return seen;
}

for (const [name, text] of [
  ['a canary-broken cas', CANARY.join('\n')],
  ['the slow-clock tour\'s wrong read', (() => {
    const tour = presets().find((p) => p.file === 'beyond-skew.scenario');
    const getAt = tour.text.split('\n').find((l) => /^at \S+ get /.test(l)).split(' ')[1];
    return tour.text.replace(/^view .*$/m, `view t ${timeMs(getAt) + 2000}ms node 0 speed 1 paused`).trim();
  })()],
]) {
  test(`the shipped page loads the checker when the panel is shown and gives the family page's verdict: ${name}`, async () => {
    const shipped = await openPage(browser, fragment(text));
    const family = await openPage(browser, 'family/' + fragment(text));
    try {
      const asked = historyRequests(shipped.page);
      // Not on screen yet: nothing is loaded, and the panel says a verdict is to come.
      await shipped.page.waitForTimeout(600);
      assert.deepEqual(asked, [], 'no checker before the panel is shown');
      assert.equal(await shipped.page.locator('.verdicts').getAttribute('data-lin'), 'checking');
      const shownMs = await shipped.page.evaluate(() => performance.now());
      const got = await verdictReadout(shipped.page);
      const verdictMs = await shipped.page.evaluate(() => performance.now());
      const want = await verdictReadout(family.page);
      assert.equal(want.lin, 'not-linearizable');
      assert.deepEqual(got, want);
      assert.equal(asked.filter((u) => u.endsWith('.wasm')).length, 1, asked.join('\n'));
      const wasm = (await Promise.all(asked.filter((u) => u.endsWith('.wasm')).map((u) => shipped.page.evaluate((url) => performance.getEntriesByName(url)[0]?.encodedBodySize, u))))[0];
      console.log(`checker: panel scrolled into view to verdict drawn ${(verdictMs - shownMs).toFixed(0)} ms (at most 200 ms of it the on-screen poll); module wasm ${(wasm / 1024).toFixed(1)} KB as served; ${asked.length} requests to history/`);
      assert.deepEqual(shipped.errors, []);
      assert.deepEqual(family.errors, []);
    } finally {
      await shipped.context.close();
      await family.context.close();
    }
  });
}

test('while the checker loads the panel says so, and if it cannot be had it says why and still draws the timeline', async () => {
  // Held: the history page's files wait until the test lets them through.
  const held = await openPage(browser, fragment(CANARY));
  try {
    let release;
    const gate = new Promise((r) => (release = r));
    await held.page.route('**/history/**', async (route) => {
      await gate;
      await route.continue();
    });
    const panel = held.page.locator('.verdicts');
    await panel.scrollIntoViewIfNeeded();
    await held.page.waitForRequest(/\/history\//);
    assert.equal(await panel.getAttribute('data-lin'), 'checking');
    assert.match(await panel.locator('[data-lin-note]').textContent(), /Loading the linearizability checker/);
    assert.equal(await panel.locator('.history-timeline .op').count(), 3);
    await panel.screenshot({ path: `${SCREENSHOT_DIR}/verdicts-loading.png` });
    release();
    await held.page.waitForFunction(() => document.querySelector('.verdicts').dataset.lin === 'not-linearizable');
    await panel.screenshot({ path: `${SCREENSHOT_DIR}/verdicts-shipped-not-linearizable.png` });
    assert.deepEqual(held.errors, []);
  } finally {
    await held.context.close();
  }
  // Blocked: the panel says the checker could not be loaded; the rest of the page goes on.
  const blocked = await openPage(browser, fragment(CANARY));
  try {
    await blocked.page.route('**/history/**', (route) => route.abort('blockedbyclient'));
    const panel = blocked.page.locator('.verdicts');
    await panel.scrollIntoViewIfNeeded();
    await blocked.page.waitForFunction(() => document.querySelector('.verdicts').dataset.lin === 'unavailable');
    assert.match(await panel.locator('[data-lin-note]').textContent(), /The linearizability checker could not be had \(.+\): no verdict/);
    assert.equal(await panel.locator('.history-timeline .op').count(), 3);
    assert.equal(await panel.locator('.badge').count(), 0);
    await panel.screenshot({ path: `${SCREENSHOT_DIR}/verdicts-checker-blocked.png` });
    // The page goes on: time travel still works.
    await blocked.page.getByLabel('Time', { exact: true }).fill('0');
    assert.equal(await simTime(blocked.page), 0);
    // The only errors are the blocked request's own (its failure, and Chromium's console line).
    assert.ok(blocked.errors.length > 0 && blocked.errors.every((e) => /\/history\//.test(e) && /net::ERR_BLOCKED_BY_CLIENT/.test(e)), blocked.errors.join('\n'));
  } finally {
    await blocked.context.close();
  }
});

test('a run without client requests loads no checker', async () => {
  const { page, context, errors } = await openPage(browser, fragment(['paxoscope scenario v1', 'seed 1', 'end 12s', 'view t 10s node 0 speed 1 paused']));
  try {
    const asked = historyRequests(page);
    await page.locator('.verdicts').scrollIntoViewIfNeeded();
    await page.waitForTimeout(800);
    assert.equal(await page.locator('.verdicts').getAttribute('data-lin'), 'unchecked');
    assert.deepEqual(asked, []);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
