// Guided tours and "break the protocol": the picker lists every preset, each preset played to
// its end keeps every invariant (only the preset that switches on a bug shows a violation),
// the narration follows the playhead, and the commit-on-majority switch gets caught.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot } from './lib.mjs';
import { button, fullSpeed, presets, simTime } from './links.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const ALL_PRESETS = presets();
let PRESETS = ALL_PRESETS;
/** The tours of the protocols this page carries (its Protocol picker's options, but those that
 * open the family page, `data-elsewhere`). */
async function offeredPresets(page) {
  const offered = await page
    .getByRole('combobox', { name: 'Protocol', exact: true })
    .locator('option:not([data-elsewhere])')
    .evaluateAll((os) => os.map((o) => o.value));
  return ALL_PRESETS.filter((p) => offered.includes(p.protocol));
}
const tourSelect = (page) => page.getByRole('combobox', { name: 'Tour', exact: true });

/** The picker's options: [{ value, text }] (the first is free play). */
async function options(page) {
  return tourSelect(page).locator('option').evaluateAll((os) => os.map((o) => ({ value: o.value, text: o.textContent })));
}

test('the tour picker lists every preset of the protocols offered by its title', async () => {
  const { page, context, errors } = await openPage(browser, '');
  try {
    PRESETS = await offeredPresets(page);
    assert.ok(PRESETS.some((p) => p.protocol === 'ceph'), 'Ceph tours');
    const opts = await options(page);
    assert.equal(opts.length, PRESETS.length + 1);
    for (const p of PRESETS) assert.ok(opts.some((o) => o.text.includes(p.title)), `${p.file}: ${p.title}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('every preset played to its end holds every invariant, except the one that breaks the protocol', async () => {
  const { page, context, errors } = await openPage(browser, '');
  try {
    PRESETS = await offeredPresets(page);
    const opts = await options(page);
    for (const p of PRESETS) {
      const opt = opts.find((o) => o.text.includes(p.title));
      await tourSelect(page).selectOption(opt.value);
      await page.waitForFunction((title) => document.querySelector('.scenario-name')?.textContent === title, p.title);
      await fullSpeed(page);
      await button(page, 'Play').click();
      await page.waitForFunction(
        (end) =>
          document.querySelector('[data-invariants]').dataset.invariants === 'violated' ||
          Number(document.querySelector('[data-sim-time-ms]').dataset.simTimeMs) >= end,
        p.endMs,
        { timeout: 30_000 },
      );
      const status = await page.locator('[data-invariants]').getAttribute('data-invariants');
      assert.equal(status, p.breaks ? 'violated' : 'ok', `${p.file} at ${await simTime(page)} ms`);
      assert.match(page.url(), /#paxoscope\+scenario\+v1;name\+/, 'the tour is in the URL');
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the narration follows the playhead; previous and next seek to the notes', async () => {
  const startup = PRESETS.find((p) => p.file === 'startup.scenario');
  const { page, context, errors } = await openPage(browser, '#tour=startup');
  try {
    const bar = page.locator('[data-narration]');
    assert.equal(await bar.getAttribute('aria-live'), 'polite');
    assert.equal(await bar.textContent(), startup.notes[0].text);
    assert.ok(await button(page, 'Previous note').isDisabled());
    for (const i of [1, 2, 3]) {
      await button(page, 'Next note').click();
      await page.waitForFunction((t) => document.querySelector('[data-sim-time-ms]').dataset.simTimeMs === String(t), startup.notes[i].atMs);
      assert.equal(await bar.textContent(), startup.notes[i].text);
    }
    await button(page, 'Previous note').click();
    await page.waitForFunction((t) => document.querySelector('[data-sim-time-ms]').dataset.simTimeMs === String(t), startup.notes[2].atMs);
    assert.equal(await bar.textContent(), startup.notes[2].text);
    // Scrubbing between notes shows the latest one before the playhead.
    const last = startup.notes.at(-1);
    for (let i = 3; i < startup.notes.length; i++) await button(page, 'Next note').click();
    await page.waitForFunction((t) => document.querySelector('[data-sim-time-ms]').dataset.simTimeMs === String(t), last.atMs);
    assert.equal(await bar.textContent(), last.text);
    assert.ok(await button(page, 'Next note').isDisabled());
    await page.getByRole('slider', { name: 'Time' }).fill(String(last.atMs - 1));
    await page.waitForFunction((t) => Number(document.querySelector('[data-sim-time-ms]').dataset.simTimeMs) === t, last.atMs - 1);
    assert.equal(await bar.textContent(), startup.notes.at(-2).text);
    await screenshot(page, 'tour');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('switching on break commit-on-majority restarts the run and the checker catches it', async () => {
  const { page, context, errors } = await openPage(browser, '');
  try {
    assert.equal(await page.locator('[data-invariants]').getAttribute('data-invariants'), 'ok');
    await page.getByRole('checkbox', { name: /break commit-on-majority/ }).check();
    // The restart is said next to the playback controls.
    const notice = page.locator('.controls .notice');
    await notice.getByText(/Restarted from 0 s with `break commit-on-majority`/).waitFor();
    // The address follows (while playing it is rewritten at most once a second).
    await page.waitForFunction(() => location.hash.includes('break+commit-on-majority'));
    await fullSpeed(page);
    await page.waitForFunction(() => document.querySelector('[data-invariants]').dataset.invariants === 'violated', null, { timeout: 30_000 });
    await page.locator('.invariants .violation').getByText('commit-needs-every-accept').first().waitFor();
    // Switching it off again runs clean.
    await page.getByRole('checkbox', { name: /break commit-on-majority/ }).uncheck();
    await notice.getByText(/Restarted from 0 s without/).waitFor();
    assert.equal(await page.locator('[data-invariants]').getAttribute('data-invariants'), 'ok');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a tour whose file cannot be fetched says so, from a link and from the picker', async () => {
  // The wasm does not carry the tours' texts: the page fetches presets/<file> when a tour opens.
  const { page, context } = await openPage(browser, '');
  try {
    await page.route('**/presets/*.scenario', (route) => route.fulfill({ status: 404, body: 'gone' }));
    await page.goto('about:blank');
    await page.goto(new URL('#tour=startup', process.env.PAXOSCOPE_URL).href);
    const urlError = page.locator('[data-url-error]');
    await urlError.waitFor();
    assert.match(
      await urlError.textContent(),
      /The tour in this link could not be opened: could not fetch presets\/startup\.scenario \(HTTP 404\)\. The default scenario is running instead\./,
    );
    const startup = PRESETS.find((p) => p.file === 'startup.scenario');
    assert.notEqual(await page.locator('.scenario-name').textContent(), startup.title, 'the default scenario runs');

    const lease = PRESETS.find((p) => p.file === 'lease.scenario');
    const opts = await options(page);
    await tourSelect(page).selectOption(opts.find((o) => o.text.includes(lease.title)).value);
    await page.getByText('could not fetch presets/lease.scenario (HTTP 404)').waitFor();
    assert.notEqual(await page.locator('.scenario-name').textContent(), lease.title, 'still the default scenario');

    // Once the file is back, the picker opens the tour.
    await page.unroute('**/presets/*.scenario');
    await tourSelect(page).selectOption(opts.find((o) => o.text.includes(lease.title)).value);
    await page.waitForFunction((title) => document.querySelector('.scenario-name')?.textContent === title, lease.title);
  } finally {
    await context.close();
  }
});

test('picking a tour adds a history entry: Back returns to the run before, Forward to the tour', async () => {
  const { page, context, errors } = await openPage(browser, '');
  try {
    const name = () => page.locator('.scenario-name').textContent();
    const before = await name();
    // The page writes its scenario into the URL (at once on the first frame while playing).
    await page.waitForFunction(() => location.hash.startsWith('#paxoscope'));
    const lease = PRESETS.find((p) => p.file === 'lease.scenario');
    const opts = await options(page);
    await tourSelect(page).selectOption(opts.find((o) => o.text.includes(lease.title)).value);
    await page.waitForFunction((title) => document.querySelector('.scenario-name')?.textContent === title, lease.title);
    // Back at once, as a user would: the tour opened has its own entry already.
    await page.evaluate(() => history.back());
    await page
      .waitForFunction((n) => document.querySelector('.scenario-name')?.textContent === n, before, { timeout: 5000 })
      .catch(async (e) => {
        throw new Error(`${e.message}: ${await page.evaluate(() => `${history.length} ${location.hash.slice(0, 60)}`)}`);
      });
    assert.ok(page.url().startsWith(process.env.PAXOSCOPE_URL), `still in the app: ${page.url()}`);
    await page.evaluate(() => history.forward());
    await page.waitForFunction((title) => document.querySelector('.scenario-name')?.textContent === title, lease.title);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
