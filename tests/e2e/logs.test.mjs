// The log view: one lane per monitor, a cell per slot. In the "lagging monitor syncs" tour the
// four monitors in quorum commit v2..v16 while mon.4 is down at v1: their lanes show 16 applied
// slots, mon.4's lane lags (one applied slot, drawn as down); after mon.4 restarts and syncs its
// lane catches up, and seeking back in time brings the lag back. The lane's applied cells are
// checked against the ring's last_committed of the same monitor.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot } from './lib.mjs';
import { button, fragment, fullSpeed, monitors, presets, simTime } from './links.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Every lane: { rank, applied (data), cells applied (drawn), down, holes }. */
async function lanes(page) {
  return page.locator('.logs .lane[data-lane]').evaluateAll((els) =>
    els.map((e) => ({
      rank: e.dataset.lane,
      applied: Number(e.dataset.applied),
      drawn: e.querySelectorAll('.c.applied').length,
      down: e.classList.contains('down'),
      holes: e.querySelectorAll('.c.hole').length,
    })),
  );
}

/** Plays at full speed to `ms` (the tour pauses itself at its end). */
async function playUntil(page, ms) {
  await fullSpeed(page);
  await button(page, 'Play').click();
  await page.waitForFunction(
    (end) => Number(document.querySelector('[data-sim-time-ms]').dataset.simTimeMs) >= end,
    ms,
    { timeout: 60_000 },
  );
}

/** The lanes once they show the ring's last_committed for every monitor (the log view is
 * throttled: it follows the playhead a few times a second). */
async function lanesMatchingRing(page) {
  let last;
  for (let i = 0; i < 50; i++) {
    const ring = (await monitors(page)).map((m) => Number(m.lc));
    last = await lanes(page);
    if (last.length === ring.length && last.every((l, r) => l.applied === ring[r])) return { ring, lanes: last };
    await page.waitForTimeout(100);
  }
  assert.fail(`the lanes never matched the ring: ${JSON.stringify(last)}`);
}

test('the lagging monitor of the sync tour lags in its lane, catches up after the sync, and lags again when the playhead goes back', async () => {
  // The tour opens at its first note (5 s); this test starts where the quorum has committed its
  // writes and mon.4 is still down: the tour's own text with the view moved to 44.9 s.
  const sync = presets().find((p) => p.file === 'sync.scenario');
  const lines = sync.text.trim().split('\n').map((l) => (l.startsWith('view ') ? 'view t 44900ms node 4 speed 0.1 paused' : l));
  const { page, context, errors } = await openPage(browser, fragment(lines));
  try {
    const at = await simTime(page);
    assert.ok(at > 40_000 && at < 45_000, `the tour opens before mon.4's restart (at ${at} ms)`);
    let { ring, lanes: ls } = await lanesMatchingRing(page);
    assert.equal(ls.length, 5, 'one lane per monitor');
    for (const l of ls) assert.equal(l.drawn, l.applied, `mon.${l.rank}: one applied cell per committed version`);
    const leader = Math.max(...ring);
    assert.ok(leader >= 10, `the quorum committed the tour's writes (lc ${leader})`);
    assert.ok(ls[4].down, "mon.4's lane is drawn as down");
    assert.ok(ls[4].applied < leader, `mon.4 lags: ${ls[4].applied} < ${leader}`);
    assert.ok(ls.every((l) => l.holes === 0), 'Ceph has no holes');
    // The α window (α = 1) is outlined on every lane.
    assert.equal(await page.locator('.logs .lane[data-lane] .alpha').count(), 5);
    assert.match(await page.locator('.logs .panel-title').textContent(), /α = 1/);
    await screenshot(page, 'logs-lagging');

    await playUntil(page, 60_000);
    ({ ring, lanes: ls } = await lanesMatchingRing(page));
    assert.ok(!ls[4].down, 'mon.4 is back');
    assert.ok(ls[4].applied >= leader, `mon.4 caught up: ${ls[4].applied} >= ${leader}`);
    for (const l of ls) assert.equal(l.drawn, l.applied, `mon.${l.rank} after the sync`);
    await screenshot(page, 'logs-caught-up');

    // Time travel: the lanes follow the playhead back to before the restart.
    await page.getByRole('slider', { name: 'Time' }).fill('44000');
    await page.waitForFunction(() => Number(document.querySelector('[data-sim-time-ms]').dataset.simTimeMs) <= 44_000);
    ({ lanes: ls } = await lanesMatchingRing(page));
    assert.ok(ls[4].down && ls[4].applied < leader, `mon.4 lags again at 44 s: ${JSON.stringify(ls[4])}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the log view is readable in dark mode too', async () => {
  const { page, context, errors } = await openPage(browser, '#tour=sync', { colorScheme: 'dark' });
  try {
    await lanesMatchingRing(page);
    const applied = page.locator('.logs .lane[data-lane="0"] .c.applied').first();
    const empty = page.locator('.logs .lane[data-lane="4"] .c.empty').first();
    const bg = (l) => l.evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.notEqual(await bg(applied), await bg(empty), 'applied and empty cells differ');
    await screenshot(page, 'logs-dark');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('clicking a lane selects its monitor, and Enter on a focused lane does too', async () => {
  const { page, context, errors } = await openPage(browser, '#tour=sync');
  try {
    await lanesMatchingRing(page);
    const selectedLine = () => page.locator('.faults .selected-line strong').textContent();
    // The lane's cells, not only its name, take the click.
    await page.locator('.logs .lane[data-lane="3"] .c').first().click();
    await page.waitForFunction(() => document.querySelector('.faults .selected-line strong')?.textContent === 'mon.3');
    assert.equal(await selectedLine(), 'mon.3');
    await page.locator('.logs .lane[data-lane="1"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('.faults .selected-line strong')?.textContent === 'mon.1');
    assert.equal(await selectedLine(), 'mon.1');
    await screenshot(page, 'logs-lane-selected');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
