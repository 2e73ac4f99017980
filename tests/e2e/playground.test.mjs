// Browser tests of the playground: what a user sees and does, through the DOM contract
// (data-node/data-monitor-state/..., data-diagram-node/data-current, accessible names).
// Runs fast by starting scenarios from the URL with `view ... speed 100 playing`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot } from './lib.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A URL fragment for scenario text lines (the format's URL form: space → +, newline → ;). */
export function fragment(lines) {
  const text = lines.join('\n');
  return '#' + text.replaceAll(' ', '+').replaceAll('\n', ';').replaceAll('|', '%7C');
}

/** The default playground scenario with a view line and extra lines. */
function scenario({ view = 'view t 0 node 0 speed 100 playing', lines = [] } = {}) {
  return fragment([
    'paxoscope scenario v1',
    'seed 42',
    'set latency_ms 100',
    'set jitter_ms 50',
    view,
    ...lines,
  ]);
}

/** Every monitor's data attributes, in rank order. */
async function monitors(page) {
  return page.locator('#cluster [data-node]').evaluateAll((els) =>
    els.map((e) => ({
      rank: Number(e.dataset.node),
      role: e.dataset.monitorState,
      phase: e.dataset.paxosState,
      epoch: Number(e.dataset.epoch),
      lc: Number(e.dataset.lastCommitted),
    })),
  );
}

/** Waits until all five are active with exactly one leader and something committed. */
async function waitHealthy(page, timeout = 20_000) {
  await page.waitForFunction(
    () => {
      const ns = [...document.querySelectorAll('#cluster [data-node]')];
      return (
        ns.length === 5 &&
        ns.every((n) => n.dataset.paxosState === 'active' && n.dataset.lastCommitted !== '0') &&
        ns.filter((n) => n.dataset.monitorState === 'leader').length === 1 &&
        ns.filter((n) => n.dataset.monitorState === 'peon').length === 4
      );
    },
    null,
    { timeout },
  );
}

const button = (page, name) => page.getByRole('button', { name, exact: true });

async function simTime(page) {
  return Number(await page.locator('[data-sim-time-ms]').getAttribute('data-sim-time-ms'));
}

test('the five monitors reach active with one leader, rank 0, and nothing errors', async () => {
  const { page, context, errors } = await openPage(browser, scenario());
  try {
    await waitHealthy(page);
    const ms = await monitors(page);
    assert.deepEqual(
      ms.map((m) => m.role),
      ['leader', 'peon', 'peon', 'peon', 'peon'],
    );
    assert.ok(ms.every((m) => m.epoch === ms[0].epoch && m.epoch > 0), JSON.stringify(ms));
    // The leader's diagram box agrees with the cluster view.
    const current = await page
      .locator('[data-diagram-node="0"] [data-current="true"]')
      .getAttribute('data-state');
    assert.equal(current, 'leader-active');
    assert.equal(await page.locator('[data-invariants]').getAttribute('data-invariants'), 'ok');
    assert.match(await page.locator('[data-trace-hash]').textContent(), /^[0-9a-f]{8}$/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("a commit on the leader's diagram is traced through refresh, which commit_finish enters and leaves in one step", async () => {
  // Paused after the first commit: the trace says mon.0 went writing -> active in one step.
  const { page, context, errors } = await openPage(browser, scenario({ view: 'view t 8s node 0 speed 10 paused' }));
  try {
    const diagram = page.locator('.diagram.large[data-diagram-node="0"]');
    await diagram.waitFor();
    const routes = await diagram.locator('li[data-route]').evaluateAll((els) => els.map((e) => e.dataset.route));
    assert.ok(
      routes.includes('leader-writing leader-refresh leader-active'),
      `the latest transitions list the commit through refresh: ${JSON.stringify(routes)}`,
    );
    const refreshClass = await diagram.locator('[data-state="leader-refresh"]').getAttribute('class');
    assert.match(refreshClass, /visited/, 'the refresh box is marked as passed');
    assert.equal(await diagram.locator('[data-current="true"]').getAttribute('data-state'), 'leader-active');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('isolating the leader: mon.1 goes electing, recovering, active and leads', async () => {
  const { page, context, errors } = await openPage(
    browser,
    scenario({ view: 'view t 0 node 0 speed 10 playing' }),
  );
  try {
    await waitHealthy(page);
    const epochBefore = (await monitors(page))[1].epoch;
    // Record mon.1's diagram state on every frame from now on.
    await page.evaluate(() => {
      window.__states = [];
      window.__said = [];
      const poll = () => {
        const el = document.querySelector('[data-diagram-node="1"] [data-current="true"]');
        const s = el && el.getAttribute('data-state');
        if (s && window.__states[window.__states.length - 1] !== s) window.__states.push(s);
        // The live region too: an announcement made while playing is seen here.
        const text = document.querySelector('[aria-live="polite"]')?.textContent;
        if (text && window.__said[window.__said.length - 1] !== text) window.__said.push(text);
        window.__poll = requestAnimationFrame(poll);
      };
      poll();
    });
    await page.locator('#cluster [data-node="0"]').click();
    await button(page, 'Isolate').click();
    await page.waitForFunction(() => window.__states.includes('electing'), null, { timeout: 20_000 });
    await button(page, 'Pause').click();
    // Step event by event so that short phases (recovery takes one round trip) are seen.
    const seen = await page.evaluate(() => window.__states.slice());
    const state1 = () =>
      page.locator('[data-diagram-node="1"] [data-current="true"]').getAttribute('data-state');
    const said = await page.evaluate(() => window.__said.slice());
    const live = page.locator('[aria-live="polite"]');
    for (let i = 0; i < 3000 && seen[seen.length - 1] !== 'leader-active'; i++) {
      await page.keyboard.press('ArrowRight');
      const s = await state1();
      if (seen[seen.length - 1] !== s) seen.push(s);
      const text = await live.textContent();
      if (said[said.length - 1] !== text) said.push(text);
    }
    assert.equal(seen[seen.length - 1], 'leader-active', seen.join(' → '));
    // The states mon.1 passed, as its diagram lists its latest transitions (the trace's own,
    // oldest first): frames sampled while playing can miss the one-round-trip recovery on a
    // loaded machine, this list cannot.
    await page.locator('#cluster [data-node="1"]').click();
    const routes = await page
      .locator('[data-diagram-node="1"] ol.recent li')
      .evaluateAll((els) => els.map((e) => e.dataset.route).reverse());
    const passed = routes.flatMap((r) => r.split(' ')).filter((k, i, all) => k !== all[i - 1]);
    const at = (s, from = 0) => passed.indexOf(s, from);
    const electing = at('electing');
    const recovering = at('leader-recovering', electing);
    const active = at('leader-active', recovering);
    assert.ok(electing >= 0 && recovering > electing && active > recovering, passed.join(' → '));
    const ms = await monitors(page);
    assert.equal(ms[1].role, 'leader');
    // The polite live region announced it.
    assert.ok(said.some((t) => /mon\.1 is now leader/.test(t)), said.join(' | '));
    assert.ok(ms[1].epoch > epochBefore, `epoch ${epochBefore} → ${ms[1].epoch}`);
    assert.equal(await page.locator('[data-invariants]').getAttribute('data-invariants'), 'ok');
    await screenshot(page, 'isolated-leader');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('crash and restart a peon: its store survives, it rejoins', async () => {
  const { page, context, errors } = await openPage(browser, scenario());
  try {
    await waitHealthy(page);
    await page.locator('#cluster [data-node="3"]').click();
    await button(page, 'Crash').click();
    const node3 = page.locator('#cluster [data-node="3"]');
    await page.waitForFunction(
      () => document.querySelector('#cluster [data-node="3"]').dataset.monitorState === 'down',
    );
    const lcDown = Number(await node3.getAttribute('data-last-committed'));
    assert.ok(lcDown >= 1, 'a crashed monitor still shows its durable last_committed');
    assert.match(await page.locator('.inspector').textContent(), /survives a crash/);
    await screenshot(page, 'crashed-peon');
    await button(page, 'Restart').click();
    await page.waitForFunction(
      () => {
        const n = document.querySelector('#cluster [data-node="3"]');
        return n.dataset.monitorState === 'peon' && n.dataset.paxosState === 'active';
      },
      null,
      { timeout: 20_000 },
    );
    assert.ok(Number(await node3.getAttribute('data-last-committed')) >= lcDown);
    // Both actions are in the URL's scenario (written within a second while playing).
    await page.waitForFunction(() => /crash\+3;.*restart\+3/.test(location.hash));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('partition picked monitors away: the majority side elects mon.2; a one-way cut shows', async () => {
  const { page, context, errors } = await openPage(browser, scenario());
  try {
    await waitHealthy(page);
    await page.getByLabel('mon.0 in group A').check();
    await page.locator('#cluster [data-node="1"]').click({ modifiers: ['Shift'] });
    await page.waitForFunction(() => document.querySelector('[aria-label="mon.1 in group A"]')?.checked, null, { timeout: 5_000 })
      .catch(() => assert.fail('shift-click adds to group A'));
    await button(page, 'Partition').click();
    // {0,1} | {2,3,4}: the six links between the groups are cut both ways.
    await page.waitForFunction(() => document.querySelectorAll('#cluster .link.cut').length === 6);
    await page.waitForFunction(
      () => {
        const n = [...document.querySelectorAll('#cluster [data-node]')].map((e) => e.dataset);
        return n[2].monitorState === 'leader' && n[2].paxosState === 'active' &&
          n[3].monitorState === 'peon' && n[4].monitorState === 'peon';
      },
      null,
      { timeout: 20_000 },
    );
    await button(page, 'Heal all').click();
    await page.waitForFunction(() => document.querySelectorAll('#cluster .link.cut').length === 0);
    await page.getByLabel('Cut from').selectOption('3');
    await page.getByLabel('Cut to').selectOption('4');
    await button(page, 'Cut link').click();
    await page.waitForFunction(() => document.querySelectorAll('#cluster .link.cut-one-way').length === 1);
    assert.match(await page.locator('.faults .notice').textContent(), /cut mon\.3 → mon\.4/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a client put commits on all five monitors', async () => {
  const { page, context, errors } = await openPage(browser, scenario());
  try {
    await waitHealthy(page);
    await button(page, 'Pause').click();
    const before = await monitors(page);
    await page.getByLabel('Client target').selectOption('2');
    await page.getByLabel('Key', { exact: true }).fill('color');
    await page.getByLabel('Value', { exact: true }).fill('blue');
    await button(page, 'Put').click();
    // The request starts at the next millisecond, which the paused page runs at once: it is
    // there, not done yet.
    const req = page.locator('[data-req="1"]');
    await req.waitFor();
    assert.match(await req.getAttribute('data-fate'), /^(pending|forwarded)$/);
    await button(page, 'Play').click();
    await page.waitForFunction(
      () => document.querySelector('[data-req="1"]')?.dataset.fate === 'committed',
      null,
      { timeout: 20_000 },
    );
    assert.match(await req.textContent(), /committed at v\d+/);
    await page.waitForFunction(
      (lcs) =>
        [...document.querySelectorAll('#cluster [data-node]')].every(
          (n, i) => Number(n.dataset.lastCommitted) > lcs[i],
        ),
      before.map((m) => m.lc),
    );
    // Every monitor's store has the value (the inspector of mon.4 shows it).
    await page.locator('#cluster [data-node="4"]').click();
    await page.waitForFunction(() => /color\s*blue/.test(document.querySelector('.inspector').textContent));
    // Bad input is refused inline with a reason.
    await page.getByLabel('Key', { exact: true }).fill('has space');
    await button(page, 'Get').click();
    assert.match(await page.locator('.client .notice.error').textContent(), /key/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('scrubbing back shows the earlier state; a bad skew is explained', async () => {
  const { page, context, errors } = await openPage(browser, scenario());
  try {
    await waitHealthy(page);
    await button(page, 'Pause').click();
    const later = await simTime(page);
    assert.ok(later > 1000, `playhead ${later}`);
    await page.getByLabel('Time', { exact: true }).fill('150');
    assert.equal(await simTime(page), 150);
    const early = await monitors(page);
    assert.ok(early.every((m) => m.lc === 0), JSON.stringify(early));
    assert.ok(early.every((m) => m.role === 'probing' || m.role === 'electing'), JSON.stringify(early));
    // Forward again: the recorded future is the same.
    await page.getByLabel('Time', { exact: true }).fill(String(later));
    const again = await monitors(page);
    assert.deepEqual(again.map((m) => m.role), ['leader', 'peon', 'peon', 'peon', 'peon']);
    // Invalid input gets a clear inline message and changes nothing.
    await page.locator('#cluster [data-node="2"]').click();
    await page.getByLabel('Clock skew (ms)').fill('soon');
    await button(page, 'Set skew').click();
    assert.match(await page.locator('.faults .notice.error').textContent(), /whole number of milliseconds/);
    // Acting in the past forks: the recorded future is dropped, the scrubber ends here.
    await page.getByLabel('Time', { exact: true }).fill('1000');
    await button(page, 'Crash').click();
    assert.match(await page.locator('.faults .notice').textContent(), /^Acted in the past: crash mon\.2 at 1\.001 s\. The recorded future after this moment was dropped/);
    const max = Number(await page.getByLabel('Time', { exact: true }).getAttribute('max'));
    assert.ok(max < later && max >= 1000, `scrubber max ${max} after forking at 1000 (was ${later})`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a broken URL says what and where, and the default scenario runs', async () => {
  const bad = fragment(['paxoscope scenario v1', 'seed 42', 'at soon crash 1']);
  const { page, context, errors } = await openPage(browser, bad);
  try {
    const alert = page.locator('[role="alert"][data-url-error]');
    await alert.waitFor();
    assert.match(await alert.textContent(), /line 3, column 4/);
    assert.equal(await page.locator('#cluster [data-node]').count(), 5);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a tour link loads its scenario; an unknown tour is explained', async () => {
  const known = await openPage(browser, '#tour=leader-fails');
  try {
    assert.equal(await known.page.locator('.scenario-name').textContent(), 'The leader fails');
    assert.equal(await known.page.locator('[data-url-error]').count(), 0);
    assert.deepEqual(known.errors, []);
  } finally {
    await known.context.close();
  }
  // A fresh page rather than a second navigation: leaving a page aborts its late requests (the
  // favicon), which would be the test's doing, not the page's.
  const unknown = await openPage(browser, '#tour=nope');
  try {
    await unknown.page.locator('[data-url-error]').waitFor();
    assert.match(await unknown.page.locator('[data-url-error]').textContent(), /"nope".*leader-fails/);
    assert.deepEqual(unknown.errors, []);
  } finally {
    await unknown.context.close();
  }
});

test('keyboard: space plays and pauses, ? shows the shortcuts', async () => {
  const { page, context, errors } = await openPage(
    browser,
    scenario({ view: 'view t 2s node 1 speed 2.5 paused' }),
  );
  try {
    assert.equal(await simTime(page), 2000);
    assert.equal(await page.locator('.speed-value').textContent(), '2.5x');
    await button(page, 'Play').waitFor();
    await page.keyboard.press('Space');
    await button(page, 'Pause').waitFor();
    await page.keyboard.press('Space');
    await button(page, 'Play').waitFor();
    // Step forward one event, then back: the monitors are exactly as they were.
    const before = await monitors(page);
    const t = await simTime(page);
    await page.keyboard.press('ArrowRight');
    assert.ok((await simTime(page)) >= t);
    await page.keyboard.press('ArrowLeft');
    assert.ok((await simTime(page)) <= t);
    assert.deepEqual(await monitors(page), before);
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    await screenshot(page, 'help');
    // A modal dialog: focus is on Close and stays inside while tabbing.
    const focusedText = () => page.evaluate(() => document.activeElement?.textContent ?? '');
    assert.equal(await focusedText(), 'Close');
    await page.keyboard.press('Tab');
    assert.equal(await focusedText(), 'Close');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focusedText(), 'Close');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // The view is in the URL, paused, with node 1 selected.
    await page.waitForFunction(() => /view\+t\+[^;]*node\+1\+speed\+2\.5\+paused/.test(location.hash));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a broken protocol: the checker names the invariant and jumps to the step', async () => {
  const hash = fragment(['paxoscope scenario v1', 'break commit-on-majority', 'view t 0 node 0 speed 1 playing']);
  const { page, context, errors } = await openPage(browser, hash);
  try {
    const panel = page.locator('[data-invariants]');
    await page.waitForFunction(() => document.querySelector('[data-invariants]')?.dataset.invariants === 'violated');
    assert.match(await panel.textContent(), /commit-needs-every-accept/);
    assert.ok(await button(page, 'Play').isDisabled(), 'a stopped run cannot play on');
    const brokenAt = await simTime(page);
    await page.getByLabel('Time', { exact: true }).fill('0');
    assert.equal(await panel.getAttribute('data-invariants'), 'ok');
    await page.locator('[data-goto-violation]').click();
    assert.equal(await panel.getAttribute('data-invariants'), 'violated');
    assert.equal(await simTime(page), brokenAt);
    await screenshot(page, 'violation');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('link-fifo is checked inside the assumptions and shown off where links may reorder', async () => {
  // The title counts the rules in force: every listed rule but the ones shown off.
  for (const [lines, fifo, off] of [
    [['paxoscope scenario v1', 'view t 0 node 0 speed 1 paused'], '✓ link-fifo', 0],
    [['paxoscope scenario v1', 'allow reorder', 'view t 0 node 0 speed 1 paused'], '– link-fifo (off)', 1],
  ]) {
    const { page, context, errors } = await openPage(browser, fragment(lines));
    try {
      const panel = page.locator('[data-invariants]');
      await panel.waitFor();
      const items = await panel.locator('.inv-list li').allTextContents();
      assert.ok(items.includes(fifo), `${lines[1]}: ${JSON.stringify(items)}`);
      assert.equal(items.filter((t) => t.endsWith('(off)')).length, off, JSON.stringify(items));
      const count = items.length - off;
      assert.ok(count > 10, `the panel lists the rules: ${JSON.stringify(items)}`);
      assert.match(await panel.locator('.panel-title').textContent(), new RegExp(`all ${count} hold`));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
});

test('the event log filters by family and node', async () => {
  const { page, context, errors } = await openPage(browser, scenario());
  try {
    await waitHealthy(page);
    await button(page, 'Pause').click();
    await page.getByLabel('Log family filter').selectOption('election');
    const fams = await page.locator('.log-row').evaluateAll((rs) => rs.map((r) => r.className));
    assert.ok(fams.length > 0 && fams.every((c) => c.includes('fam-election')), fams.join('; '));
    await page.getByLabel('Log family filter').selectOption('');
    await page.getByLabel('Log node filter').selectOption('3');
    const rows = await page.locator('.log-row').allTextContents();
    assert.ok(rows.length > 0 && rows.every((r) => /mon\.3/.test(r)), rows.slice(0, 5).join('\n'));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('README screenshot: a lively moment with messages in flight', async () => {
  // Two client writes commit while a one-way cut (3 -> 4) stands; paused mid-commit.
  const hash = scenario({
    view: 'view t 3440 node 2 speed 1 paused',
    lines: ['at 2s cut 3 -> 4', 'at 3s put 2 color blue', 'at 3s put 3 size 9'],
  }).replaceAll('>', '%3E');
  const { page, context, errors } = await openPage(browser, hash, { viewport: { width: 1400, height: 900 } });
  try {
    const kinds = await page.locator('#cluster .msg').evaluateAll((es) => es.map((e) => e.dataset.msg));
    assert.ok(kinds.length >= 8, `messages in flight: ${kinds}`);
    assert.ok(kinds.includes('commit') && kinds.includes('begin'), `${kinds}`);
    assert.equal(await page.locator('.link.cut-one-way').count(), 1);
    await screenshot(page, 'playground', { fullPage: false });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('reset goes back to the start; new seed starts a different run', async () => {
  const { page, context, errors } = await openPage(browser, scenario());
  try {
    await waitHealthy(page);
    const hash = await page.locator('[data-trace-hash]').textContent();
    await button(page, 'Reset').click();
    assert.equal(await simTime(page), 0);
    assert.equal(await page.locator('.clock').textContent(), '0.000 s / 0.000 s', 'nothing ran yet');
    await button(page, 'Play').waitFor();
    const seedText = () => page.locator('.run-id strong').first().textContent();
    assert.equal(await seedText(), '42');
    await button(page, 'New seed').click();
    assert.notEqual(await seedText(), '42');
    assert.equal(await simTime(page), 0);
    await button(page, 'Play').click();
    await waitHealthy(page);
    assert.notEqual(await page.locator('[data-trace-hash]').textContent(), hash);
    await page.waitForFunction(() => !/seed\+42;/.test(location.hash));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('narrow screens stack the panels; dark scheme renders', async () => {
  const { page, context, errors } = await openPage(browser, scenario(), {
    viewport: { width: 400, height: 800 },
    colorScheme: 'dark',
  });
  try {
    await waitHealthy(page);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 400, `page is ${width}px wide at a 400px viewport`);
    await screenshot(page, 'narrow-dark');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

/** Crash, Restart and the monitor's line in Faults, and the inspector's first words. */
async function faultsView(page) {
  return page.evaluate(() => {
    const btn = (name) => [...document.querySelectorAll('.faults button')].find((b) => b.textContent === name);
    return {
      crash: btn('Crash').disabled ? 'disabled' : 'enabled',
      restart: btn('Restart').disabled ? 'disabled' : 'enabled',
      line: document.querySelector('.faults .selected-line').textContent,
      inspectorDown: !!document.querySelector('.inspector .down-note'),
    };
  });
}

test('while playing, Crash turns into Restart at once (no window for a second click)', async () => {
  const { page, context, errors } = await openPage(browser, scenario({ view: 'view t 0 node 1 speed 10 playing' }));
  try {
    await waitHealthy(page);
    await button(page, 'Crash').waitFor();
    // Click, then look three frames later: the slow panels used to lag up to 400 ms behind.
    const seen = await page.evaluate(async () => {
      const crash = [...document.querySelectorAll('.faults button')].find((b) => b.textContent === 'Crash');
      crash.click();
      for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
      crash.click(); // a disabled button ignores it
      return crash.disabled;
    });
    assert.equal(seen, true, 'Crash is disabled three frames after the click');
    assert.deepEqual(await faultsView(page), {
      crash: 'disabled',
      restart: 'enabled',
      line: 'mon.1 is down (its store is kept)',
      inspectorDown: true,
    });
    await page.waitForFunction(() => /crash\+1/.test(location.hash));
    assert.equal(decodeURIComponent(await page.evaluate(() => location.hash)).match(/crash\+1/g).length, 1,
      'one crash recorded');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('while paused, an action shows at once and a second click cannot repeat it', async () => {
  const { page, context, errors } = await openPage(browser, scenario({ view: 'view t 8s node 1 speed 1 paused' }));
  try {
    await button(page, 'Play').waitFor();
    assert.equal((await faultsView(page)).crash, 'enabled');
    await button(page, 'Crash').click();
    // The crash is due at the next millisecond: the playhead moves there and it is seen.
    await page.waitForFunction(
      () => document.querySelector('#cluster [data-node="1"]').dataset.monitorState === 'down',
      null,
      { timeout: 2000 },
    );
    assert.equal(await simTime(page), 8001);
    assert.deepEqual(await faultsView(page), {
      crash: 'disabled',
      restart: 'enabled',
      line: 'mon.1 is down (its store is kept)',
      inspectorDown: true,
    });
    assert.match(await page.locator('.faults .notice').textContent(), /^crash mon\.1 at 8\.001 s$/);
    await button(page, 'Restart').click();
    await page.waitForFunction(() => /restart\+1/.test(location.hash));
    assert.equal(await simTime(page), 8002);
    assert.equal((await faultsView(page)).restart, 'disabled');
    const hash = await page.evaluate(() => location.hash);
    assert.equal(hash.match(/crash\+1/g).length, 1, hash);
    assert.equal(hash.match(/restart\+1/g).length, 1, hash);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a bad clock skew is explained next to its field, tied to it, and cleared when another monitor is selected', async () => {
  const { page, context, errors } = await openPage(browser, scenario({ view: 'view t 8s node 2 speed 1 paused' }));
  try {
    const field = page.getByLabel('Clock skew (ms)');
    assert.equal(await field.getAttribute('aria-invalid'), null);
    await field.fill('soon');
    await button(page, 'Set skew').click();
    const id = await field.getAttribute('aria-describedby');
    assert.ok(id, 'the field names its error');
    const error = page.locator(`#${id}`);
    assert.match(await error.textContent(), /whole number of milliseconds/);
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    const [f, e] = [await field.boundingBox(), await error.boundingBox()];
    const gap = e.y - (f.y + f.height);
    assert.ok(gap >= 0 && gap < 40, `the error is ${gap}px below the field`);
    // It was about mon.2: selecting another monitor clears it; back on mon.2, try again.
    await page.locator('#cluster [data-node="3"]').click();
    await page.waitForFunction(() => !document.querySelector('[aria-invalid="true"], #skew-error'));
    await page.locator('#cluster [data-node="2"]').click();
    await field.fill('soon');
    await button(page, 'Set skew').click();
    await error.waitFor();
    // A good value clears it.
    await field.fill('-300');
    await button(page, 'Set skew').click();
    await page.waitForFunction(() => !document.querySelector('[aria-invalid="true"]'));
    assert.equal(await field.getAttribute('aria-describedby'), null);
    assert.match(await page.locator('.faults .notice').textContent(), /skew mon\.2 by -300 ms/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the event log words client requests, replies and actions, not Rust debug form', async () => {
  const { page, context, errors } = await openPage(
    browser,
    scenario({ view: 'view t 6s node 0 speed 1 paused', lines: ['at 3s put 2 color blue', 'at 4s crash 4'] }),
  );
  try {
    await page.getByLabel('Log family filter').selectOption('clients');
    const clients = await page.locator('.log-row').allTextContents();
    assert.ok(clients.some((r) => /client request 1: put color=blue/.test(r)), clients.join('\n'));
    assert.ok(clients.some((r) => /client reply 1: committed at v\d+/.test(r)), clients.join('\n'));
    await page.getByLabel('Log family filter').selectOption('faults');
    const faults = await page.locator('.log-row').allTextContents();
    assert.ok(faults.some((r) => /action: crash mon\.4/.test(r)), faults.join('\n'));
    for (const r of [...clients, ...faults]) assert.doesNotMatch(r, /[{}]|Some\(|Put|Crash\(/, r);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the playback bar is on screen at 800x600 and 390x844, stays there when scrolling, and is first in tab order', async () => {
  for (const viewport of [{ width: 800, height: 600 }, { width: 390, height: 844 }]) {
    const { page, context, errors } = await openPage(browser, scenario({ view: 'view t 2s node 0 speed 1 paused' }), { viewport });
    try {
      const bar = await page.locator('.controls').boundingBox();
      assert.ok(bar.y + bar.height <= viewport.height, `${viewport.width}x${viewport.height}: the bar ends at ${bar.y + bar.height}`);
      const clock = await page.locator('.clock').boundingBox();
      assert.ok(clock.y + clock.height <= viewport.height, 'the time readout is on screen');
      // Scrolled down to the Faults panel, the bar is still in view (it sticks to the top).
      await page.locator('.faults').scrollIntoViewIfNeeded();
      assert.ok(await page.evaluate(() => window.scrollY) > 0, 'the page scrolled');
      const stuck = await page.locator('.controls').boundingBox();
      assert.ok(stuck.y >= 0 && stuck.y + stuck.height <= viewport.height, `after scrolling the bar is at ${stuck.y}`);
      await page.evaluate(() => window.scrollTo(0, 0));
      // Tab from the top of the page: the playback bar is reached before any monitor.
      let first = null;
      for (let i = 0; i < 30 && !first; i++) {
        await page.keyboard.press('Tab');
        first = await page.evaluate(() => {
          const el = document.activeElement;
          return el.closest('.controls') ? 'playback' : el.closest('[data-node]') ? 'monitor' : null;
        });
      }
      assert.equal(first, 'playback');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
});

test('space plays and pauses from a slider and from plain text, and the help says so', async () => {
  const { page, context, errors } = await openPage(browser, scenario({ view: 'view t 2s node 0 speed 1 paused' }));
  try {
    await page.getByLabel('Time', { exact: true }).focus();
    await page.keyboard.press('Space');
    await button(page, 'Pause').waitFor();
    await page.locator('.panel-title').first().click(); // not a control: the focus leaves
    await page.keyboard.press('Space');
    await button(page, 'Play').waitFor();
    // In a text field Space is a space.
    await page.getByLabel('Key', { exact: true }).fill('');
    await page.getByLabel('Key', { exact: true }).press('Space');
    assert.equal(await page.getByLabel('Key', { exact: true }).inputValue(), ' ');
    await button(page, 'Play').waitFor();
    await page.locator('.panel-title').first().click();
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    assert.match(await help.textContent(), /Spaceplay \/ pause, also on a focused button \(Enter presses the button\)/);
    assert.match(await help.textContent(), /kplay \/ pause, wherever the focus is but in a text field/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the Share and Embed popovers leave the time readout in view', async () => {
  const { page, context, errors } = await openPage(browser, scenario({ view: 'view t 8s node 0 speed 1 paused' }));
  try {
    for (const name of ['Share', 'Embed']) {
      await button(page, name).click();
      const pop = page.locator('.share-pop');
      await pop.waitFor();
      const [p, c] = [await pop.boundingBox(), await page.locator('.clock').boundingBox()];
      const overlap = p.x < c.x + c.width && c.x < p.x + p.width && p.y < c.y + c.height && c.y < p.y + p.height;
      assert.ok(!overlap, `${name}: popover ${JSON.stringify(p)} covers the clock ${JSON.stringify(c)}`);
      await screenshot(page, `popover-${name.toLowerCase()}`, { fullPage: false });
      await pop.getByRole('button', { name: 'Close' }).click();
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a monitor pressed while the run plays is selected, though the ring redraws under the press', async () => {
  // The ring is redrawn every frame while messages move: a press held as long as a person holds
  // it (150 ms, nine frames) begins on one drawing of the monitor and ends on another.
  const { page, context, errors } = await openPage(browser, scenario({ view: 'view t 0 node 0 speed 1 playing' }));
  const press = async (node, modifiers = []) => {
    const box = await page.locator(`#cluster [data-node="${node}"]`).boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (const m of modifiers) await page.keyboard.down(m);
    await page.mouse.down();
    await page.waitForTimeout(150);
    await page.mouse.up();
    for (const m of modifiers) await page.keyboard.up(m);
  };
  try {
    await waitHealthy(page);
    const title = page.locator('h3.sub-title', { hasText: 'state diagram' });
    for (const node of [3, 1, 4, 2]) {
      await press(node);
      await title.filter({ hasText: `mon.${node} state diagram` }).waitFor({ timeout: 5_000 });
    }
    // Shift adds to group A once (a second, doubled click would take it out again).
    await press(4, ['Shift']);
    await page.waitForFunction(() => document.querySelector('[aria-label="mon.4 in group A"]')?.checked, null, { timeout: 5_000 });
    await page.waitForTimeout(500);
    assert.ok(await page.getByLabel('mon.4 in group A').isChecked(), 'still in group A: one toggle');
    assert.equal(await page.locator('[data-sim-time-ms]').getAttribute('data-sim-time-ms') !== '0', true, 'the run plays');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
