// Ceph's election strategies on the page: the Elections panel (the selected monitor's live and
// frozen score tables, elections won in the last minute) agrees with what the election tours'
// notes say at their moments, the embed shows the score table in a run that keeps scores, and
// the strategy picker among the faults switches a running cluster. What the notes claim is read
// from core/presets, never written here.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot } from './lib.mjs';
import { button, presets } from './links.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const tour = (file) => presets().find((p) => p.file === file);

/** Steps with "Next note" to the note containing `needle`; returns that note. */
async function toNote(page, t, needle) {
  const i = t.notes.findIndex((n) => n.text.includes(needle));
  assert.ok(i >= 0, `${t.file}: a note says ${needle}`);
  const bar = page.locator('[data-narration]');
  while ((await bar.textContent()) !== t.notes[i].text) {
    await button(page, 'Next note').click();
  }
  await page.waitForFunction((ms) => document.querySelector('[data-sim-time-ms]').dataset.simTimeMs === String(ms), t.notes[i].atMs);
  return t.notes[i];
}

const panel = (page) => page.locator('section.scores');
const minute = async (page) => Number(await panel(page).getAttribute('data-elections-minute'));
/** The totals row of the selected monitor's `which` table (live or frozen), by rank. */
const totals = (page, which) =>
  panel(page).locator(`table[data-table=${which}] tr.total td`).evaluateAll((tds) => tds.map((td) => td.textContent));

test('the chain tour: the panel counts the thrashing, then shows the frozen scores that elected the middle', async () => {
  const t = tour('el-chain.scenario');
  const { page, context, errors } = await openPage(browser, '#tour=el-chain');
  try {
    const switchNote = await toNote(page, t, 'elections won in the last minute');
    const count = await minute(page);
    assert.ok(count >= 5, `classic thrashes: ${count} elections in a minute`);
    assert.ok(switchNote.text.startsWith(`${count} elections won`), switchNote.text);
    const win = await toNote(page, t, 'mon.1 wins epoch');
    assert.equal(await panel(page).getAttribute('data-strategy'), 'connectivity');
    const frozen = await totals(page, 'frozen');
    assert.equal(frozen.length, 3, 'a column per monitor');
    assert.ok(win.text.includes(`It scores ${frozen[1]}`), `${frozen} against: ${win.text}`);
    assert.ok(win.text.includes(`mon.0 and mon.2 score ${frozen[0]} each`), `${frozen} against: ${win.text}`);
    assert.equal(frozen[0], frozen[2]);
    // Every reporter's row: the cut link (0-2) is reported dead from both ends.
    const dead = await panel(page)
      .locator('table[data-table=live] td.dead')
      .evaluateAll((tds) => tds.map((td) => `${td.closest('tr').dataset.reporter}>${td.cellIndex - 1}`));
    assert.deepEqual(dead.sort(), ['0>2', '2>0']);
    await screenshot(page, 'elections-chain', { fullPage: false });
    await panel(page).scrollIntoViewIfNeeded();
    await screenshot(page, 'elections-chain-panel', { fullPage: false });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the cut-link tour ends with no election in the last minute, as its last note says', async () => {
  const t = tour('el-cut.scenario');
  const { page, context, errors } = await openPage(browser, '#tour=el-cut');
  try {
    const last = t.notes.at(-1);
    await toNote(page, t, last.text);
    assert.match(last.text, /no election in the last minute/);
    assert.equal(await minute(page), 0);
    assert.equal(await panel(page).getAttribute('data-node'), '2', 'the tour selects mon.2');
    const frozen = await totals(page, 'frozen');
    const switchWin = t.notes.find((n) => n.text.includes('mon.2 wins epoch'));
    assert.ok(switchWin.text.includes(`mon.0 and mon.1 score ${frozen[0]}`), `${frozen}`);
    assert.ok(switchWin.text.includes(`mon.2, mon.3 and mon.4 score ${frozen[2]}`), `${frozen}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the embed shows the frozen score table in a run that keeps scores, the diagram otherwise', async () => {
  // Three monitors, then five: the wider table must fit the 700x450 frame too.
  for (const [file, id, needle] of [
    ['el-chain.scenario', 'el-chain', 'mon.1 wins epoch'],
    ['el-cut.scenario', 'el-cut', 'mon.2 wins epoch'],
  ]) {
    const t = tour(file);
    const { page, context, errors } = await openPage(browser, `?embed=1#tour=${id}`, { viewport: { width: 700, height: 450 } });
    try {
      await toNote(page, t, needle);
      const table = page.locator('.embed-scores table[data-table=frozen]');
      await table.waitFor();
      assert.ok(await table.isVisible());
      assert.equal(await page.locator('.embed-scores table[data-table=live]').isVisible(), false, 'the frozen copy only');
      assert.equal(await page.locator('.embed-diagram').count(), 0);
      // The table fits the iframe: nothing sticks out to the right or below.
      const box = await table.boundingBox();
      assert.ok(box.x + box.width <= 700 && box.y + box.height <= 450, `${id}: table box ${JSON.stringify(box)}`);
      await screenshot(page, `elections-embed-${id}`, { fullPage: false });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
  const plain = await openPage(browser, '?embed=1', { viewport: { width: 700, height: 450 } });
  try {
    assert.equal(await plain.page.locator('.embed-scores').count(), 0, 'a classic run without pings');
    assert.equal(await plain.page.locator('.embed-diagram').count(), 1);
    assert.deepEqual(plain.errors, []);
  } finally {
    await plain.context.close();
  }
});

test('the strategy picker switches a running cluster: every monitor runs the new strategy', async () => {
  const { page, context, errors } = await openPage(browser, '');
  try {
    const picker = page.getByRole('combobox', { name: 'Election strategy' });
    assert.equal(await picker.inputValue(), 'classic');
    assert.equal(await panel(page).getAttribute('data-strategy'), 'classic');
    await picker.selectOption('connectivity');
    await page.waitForFunction(() => location.hash.includes('election+connectivity'));
    await button(page, 'Step').click();
    await page.waitForFunction(() => document.querySelector('section.scores')?.dataset.strategy === 'connectivity');
    for (const r of ['0', '1', '2', '3', '4']) {
      // The ring circle itself: the lines under a node (its reads, its wait) widen its box.
      await page.locator(`#cluster [data-node="${r}"] circle`).first().click();
      await page.waitForFunction((n) => document.querySelector('section.scores')?.dataset.node === n, r);
      assert.equal(await panel(page).getAttribute('data-strategy'), 'connectivity', `mon.${r}`);
    }
    assert.equal(await picker.inputValue(), 'connectivity');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
