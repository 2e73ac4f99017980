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

test('a saved run opens offline from file:// and stands at the same moment with the same trace hash', async () => {
  const frag = fragment(['paxoscope scenario v1', 'name "Saved for later"', 'seed 11', 'at 2s put 1 color blue', 'view t 3s node 0 speed 1 paused']);
  const { page, context, errors } = await openPage(browser, frag);
  let saved;
  try {
    // An action of the reader's own, at 3 s: crash mon.0 (the leader).
    await page.locator('#cluster [data-node="0"]').click();
    await page.getByRole('button', { name: 'Crash', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('#cluster [data-node="0"]').getAttribute('data-monitor-state') === 'down'
      || /crash mon\.0/.test(document.body.textContent));
    // Play on a little past the crash, then pause there.
    await page.locator('input[aria-label=Time]').evaluate((el) => el.max); // rendered
    await page.keyboard.press('k');
    await page.waitForFunction(() => Number(document.querySelector('[data-sim-time-ms]').getAttribute('data-sim-time-ms')) > 4500);
    await page.keyboard.press('k');
    await page.waitForTimeout(300);
    const live = await readout(page);
    assert.ok(Number(live.t_ms) > 4500, JSON.stringify(live));

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Save as one file' }).click(),
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'paxoscope-one-file-'));
    saved = join(dir, download.suggestedFilename());
    await download.saveAs(saved);
    assert.equal(download.suggestedFilename(), `paxoscope-seed11-${live.t_ms}ms.html`);
    await page.locator('[data-one-file-saved]').waitFor();
    const size = (await stat(saved)).size;
    const html = await readFile(saved, 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+stylesheet/, 'nothing is loaded from another file');
    console.log(`one-file: ${saved} is ${(size / 1024).toFixed(1)} KB`);
    assert.deepEqual(errors, []);

    // Offline: every http(s) request fails; the file must not need one.
    const offline = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const requests = [];
    const fileErrors = [];
    await offline.route(/^https?:/, (route) => route.abort());
    await offline.setOffline(true);
    offline.on('request', (r) => requests.push(r.url()));
    const opened = await offline.newPage();
    opened.on('pageerror', (e) => fileErrors.push(e.message));
    opened.on('console', (m) => m.type() === 'error' && fileErrors.push(m.text()));
    await opened.goto(pathToFileURL(saved).href);
    await opened.waitForSelector('#cluster [data-node]');
    await opened.waitForFunction((t) => document.querySelector('[data-sim-time-ms]')?.getAttribute('data-sim-time-ms') === t, live.t_ms);
    const replayed = await readout(opened);
    assert.deepEqual(replayed, live, `live ${JSON.stringify(live)}\nfile ${JSON.stringify(replayed)}`);
    assert.equal(await opened.locator('.scenario-name').textContent(), 'Saved for later');
    // The linearizability checker is loaded from the site (history/): the saved file says its
    // verdict is not there, asks for nothing, and still draws the client timeline.
    await opened.locator('.verdicts').scrollIntoViewIfNeeded();
    await opened.waitForFunction(() => document.querySelector('.verdicts')?.dataset.lin === 'unavailable');
    assert.match(await opened.locator('.verdicts [data-lin-note]').textContent(), /No linearizability verdict in a saved file: the checker comes from the playground's site/);
    assert.equal(await opened.locator('.verdicts .history-timeline .op').count(), 1);
    assert.deepEqual(requests.filter((u) => !/^(file|blob|data):/.test(u)), [], 'no request left the disk');
    assert.deepEqual(fileErrors, [], `the file's page reported: ${fileErrors.join(' | ')}`);
    await screenshot(opened, 'one-file-offline', { fullPage: false });
    await offline.close();
  } finally {
    await context.close();
  }
});
