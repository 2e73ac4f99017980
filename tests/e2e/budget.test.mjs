// Heavy but valid links (issue 16): every value is inside its documented range, yet the run
// holds tens of thousands of events per simulated second. The page must open them without
// freezing: it catches up with the link's playhead a slice per frame, shows its progress and
// can cancel; a run that goes over its budget stops with a message naming the limit and the
// setting that most likely caused it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage } from './lib.mjs';
import { button, fragment, rawSimTime, simTime } from './links.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** The same scenario as cli/tests/budget_cli.rs, an hour ahead. */
const RENEW_1MS_HOUR_AHEAD = fragment([
  'paxoscope scenario v1',
  'set monitors 9',
  'set lease_renew_ms 1',
  'end 86400s',
  'view t 3600000 node 0 speed 10 playing',
]);

/** Milliseconds the page takes to answer a script: its main thread's latency right now. */
async function answerMs(page) {
  const t0 = Date.now();
  await page.evaluate(() => 1);
  return Date.now() - t0;
}

test('a heavy link opens without freezing the tab: it shows progress, and Cancel stops it', async () => {
  const { page, context, errors } = await openPage(browser, RENEW_1MS_HOUR_AHEAD, { waitFor: '[data-catch-up]', caughtUp: false });
  try {
    const bar = page.locator('[data-catch-up]');
    assert.match(await bar.textContent(), /Catching up with this link: [\d.]+ s of 3600\.000 s \(\d+%\)/);
    // At once: the run stops at its memory budget after a few seconds of catching up.
    await bar.getByRole('button', { name: 'Cancel' }).click({ timeout: 5_000 });
    await bar.waitFor({ state: 'detached' });
    const stoppedAt = await simTime(page);
    assert.ok(stoppedAt > 0 && stoppedAt < 3_600_000, `stopped short of the link's hour: ${stoppedAt} ms`);
    assert.equal(await button(page, 'Play').count(), 1, 'paused where it stood');
    await page.waitForTimeout(300);
    assert.equal(await simTime(page), stoppedAt, 'and it stays there');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('while a heavy link catches up, the page answers within a second and the run moves on', async () => {
  const { page, context, errors } = await openPage(browser, RENEW_1MS_HOUR_AHEAD, { waitFor: '[data-catch-up]', caughtUp: false });
  try {
    const firstT = await rawSimTime(page);
    // Sampled once the panels around the cluster have rendered for the first time; the run may
    // reach its memory budget meanwhile (it then stops with its message): the page must answer
    // either way.
    await page.waitForSelector('.area-log');
    const waits = [];
    for (let i = 0; i < 5; i++) {
      waits.push(await answerMs(page));
      await page.waitForTimeout(200);
    }
    console.log(`page answered in at most ${Math.max(...waits)} ms while catching up (${waits.join(', ')} ms)`);
    assert.ok(Math.max(...waits) < 1000, `the page answered within a second each time: ${waits.join(', ')} ms`);
    const laterT = await rawSimTime(page);
    assert.ok(laterT > firstT, `the run moves on: ${firstT} ms, then ${laterT} ms`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a run that goes over its budget stops with the limit, the time and the setting that caused it', async () => {
  // The renewal is 3/5 of a 1 ms lease, which rounds down to 0 ms: simulated time never passes.
  const link = fragment([
    'paxoscope scenario v1',
    'set latency_ms 0',
    'set jitter_ms 0',
    'set lease_ms 1',
    'end 60s',
  ]);
  const { page, context, errors } = await openPage(browser, link);
  try {
    const notice = page.locator('.notice.error', { hasText: 'The run stopped at' });
    await notice.waitFor();
    const text = await notice.textContent();
    assert.match(text, /most likely cause: `set lease_ms 1`/, text);
    const at = /stopped at t=(\d+)\.(\d{3}) s/.exec(text);
    assert.ok(at, text);
    assert.equal(await button(page, 'Play').count(), 1, 'paused');
    assert.equal(await simTime(page), Number(at[1]) * 1000 + Number(at[2]), 'the playhead stands where the run stopped');
    assert.ok((await answerMs(page)) < 1000);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
