// "Save as one file" (docs/embedding.md, "One-file export"): the run, with an action the
// reader took, saved at the playhead as one HTML file; opened from file:// with the network
// blocked, it replays to the same moment: the same trace hash, time and monitor states.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot } from './lib.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const fragment = (lines) => `#${lines.join(';').replaceAll(' ', '+')}`;

/** What a reader sees of the run: header hash, playhead, every monitor's state. */
function readout(page) {
  return page.evaluate(() => ({
    hash: document.querySelector('[data-trace-hash]').textContent,
    t_ms: document.querySelector('[data-sim-time-ms]').getAttribute('data-sim-time-ms'),
    seed: document.querySelector('.run-id strong')?.textContent,
    nodes: [...document.querySelectorAll('#cluster [data-node]')].map((n) =>
      ['data-node', 'data-monitor-state', 'data-paxos-state', 'data-epoch', 'data-last-committed'].map((a) => n.getAttribute(a)).join(' ')),
  }));
}

/** Click "Save as one file" on `page` and keep the download in a fresh directory. */
async function saveOneFile(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Save as one file' }).click(),
  ]);
  const dir = await mkdtemp(join(tmpdir(), 'paxoscope-one-file-'));
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  await page.locator('[data-one-file-saved]').waitFor();
  return { path, name: download.suggestedFilename() };
}

/** Open a saved file from file:// in a context where every http(s) request fails. */
async function openOffline(path, t_ms) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const requests = [];
  const errors = [];
  await context.route(/^https?:/, (route) => route.abort());
  await context.setOffline(true);
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(pathToFileURL(path).href);
  await page.waitForSelector('#cluster [data-node]');
  await page.waitForFunction((t) => document.querySelector('[data-sim-time-ms]')?.getAttribute('data-sim-time-ms') === t, t_ms);
  const offDisk = () => requests.filter((u) => !/^(file|blob|data):/.test(u));
  return { page, context, errors, offDisk };
}

/** Play with `k` until the playhead passes `t_ms`, then pause. */
async function playPast(page, t_ms) {
  await page.keyboard.press('k');
  await page.waitForFunction((t) => Number(document.querySelector('[data-sim-time-ms]').getAttribute('data-sim-time-ms')) > t, t_ms);
  await page.keyboard.press('k');
  await page.waitForTimeout(300);
}

test('a saved run opens offline from file:// and stands at the same moment with the same trace hash', async () => {
  const frag = fragment(['paxoscope scenario v1', 'name "Saved for later"', 'seed 11', 'at 2s put 1 color blue', 'view t 3s node 0 speed 1 paused']);
  const { page, context, errors } = await openPage(browser, frag);
  try {
    // An action of the reader's own, at 3 s: crash mon.0 (the leader).
    await page.locator('#cluster [data-node="0"]').click();
    await page.getByRole('button', { name: 'Crash', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('#cluster [data-node="0"]').getAttribute('data-monitor-state') === 'down'
      || /crash mon\.0/.test(document.body.textContent));
    // Play on a little past the crash, then pause there.
    await page.locator('input[aria-label=Time]').evaluate((el) => el.max); // rendered
    await playPast(page, 4500);
    const live = await readout(page);
    assert.ok(Number(live.t_ms) > 4500, JSON.stringify(live));

    const saved = await saveOneFile(page);
    assert.equal(saved.name, `paxoscope-seed11-${live.t_ms}ms.html`);
    const size = (await stat(saved.path)).size;
    const html = await readFile(saved.path, 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+stylesheet/, 'nothing is loaded from another file');
    console.log(`one-file: ${saved.path} is ${(size / 1024).toFixed(1)} KB`);
    assert.deepEqual(errors, []);

    const opened = await openOffline(saved.path, live.t_ms);
    const replayed = await readout(opened.page);
    assert.deepEqual(replayed, live, `live ${JSON.stringify(live)}\nfile ${JSON.stringify(replayed)}`);
    assert.equal(await opened.page.locator('.scenario-name').textContent(), 'Saved for later');
    // The linearizability checker is loaded from the site (history/): the saved file says its
    // verdict is not there, asks for nothing, and still draws the client timeline.
    await opened.page.locator('.verdicts').scrollIntoViewIfNeeded();
    await opened.page.waitForFunction(() => document.querySelector('.verdicts')?.dataset.lin === 'unavailable');
    assert.match(await opened.page.locator('.verdicts [data-lin-note]').textContent(), /No linearizability verdict in a saved file: the checker comes from the playground's site/);
    assert.equal(await opened.page.locator('.verdicts .history-timeline .op').count(), 1);
    assert.deepEqual(opened.offDisk(), [], 'no request left the disk');
    assert.deepEqual(opened.errors, [], `the file's page reported: ${opened.errors.join(' | ')}`);
    await screenshot(opened.page, 'one-file-offline', { fullPage: false });
    await opened.context.close();
  } finally {
    await context.close();
  }
});

test('a saved file saves again offline: the second file carries the reader\'s new action and replays it', async () => {
  const frag = fragment(['paxoscope scenario v1', 'name "Saved twice"', 'seed 5', 'at 1s put 1 fruit fig', 'view t 2s node 0 speed 1 paused']);
  const { page, context, errors } = await openPage(browser, frag);
  let first;
  let second;
  try {
    await page.locator('#cluster [data-node]').first().waitFor();
    await page.waitForLoadState('networkidle'); // the head's preloads done, as a reader's would be
    first = await saveOneFile(page);
    const atSave = await readout(page);
    assert.deepEqual(errors, []);

    // In the saved file, offline: crash mon.1 at the playhead, play on, save again.
    first.opened = await openOffline(first.path, atSave.t_ms);
    const p1 = first.opened.page;
    assert.deepEqual(await readout(p1), atSave, 'the first file stands where the page stood');
    await p1.locator('#cluster [data-node="1"]').click();
    await p1.getByRole('button', { name: 'Crash', exact: true }).click();
    await p1.waitForFunction(() => document.querySelector('#cluster [data-node="1"]').getAttribute('data-monitor-state') === 'down');
    await playPast(p1, 3500);
    const live = await readout(p1);
    assert.equal(live.nodes.find((n) => n.startsWith('1 ')).split(' ')[1], 'down', JSON.stringify(live));
    second = await saveOneFile(p1);
    assert.equal(second.name, `paxoscope-seed5-${live.t_ms}ms.html`);
    assert.deepEqual(first.opened.offDisk(), [], 'saving again asked the network for nothing');
    assert.deepEqual(first.opened.errors, [], `the first file's page reported: ${first.opened.errors.join(' | ')}`);

    // The second file, offline: the crash is in its run, at the same moment, same hash.
    second.opened = await openOffline(second.path, live.t_ms);
    const replayed = await readout(second.opened.page);
    assert.deepEqual(replayed, live, `first file ${JSON.stringify(live)}\nsecond file ${JSON.stringify(replayed)}`);
    assert.equal(await second.opened.page.locator('.scenario-name').textContent(), 'Saved twice');
    assert.deepEqual(second.opened.offDisk(), [], 'no request left the disk');
    assert.deepEqual(second.opened.errors, [], `the second file's page reported: ${second.opened.errors.join(' | ')}`);
    const [a, b] = [(await stat(first.path)).size, (await stat(second.path)).size];
    console.log(`one-file re-saved: ${(a / 1024).toFixed(1)} KB, then ${(b / 1024).toFixed(1)} KB`);
    assert.ok(Math.abs(a - b) < 4096, `saving again carries the same assets (${a} B, then ${b} B)`);
  } finally {
    await first?.opened?.context.close();
    await second?.opened?.context.close();
    await context.close();
  }
});
