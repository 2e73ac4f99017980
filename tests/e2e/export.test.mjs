// The Export panel (built only with the cargo feature `export`; see Cargo.toml): the trace as
// JSON Lines, a mermaid sequenceDiagram of the window before the playhead and a mermaid
// stateDiagram-v2 of the selected monitor, each copyable and downloadable. Skipped, saying
// so, when the served build has no Export panel.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage } from './lib.mjs';
import { button, fragment, simTime } from './links.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('export: JSON Lines, sequence and state diagrams, copied and downloaded', async (t) => {
  const frag = fragment(['paxoscope scenario v1', 'seed 42', 'set latency_ms 30', 'view t 8s node 1 speed 1 paused']);
  const { page, context, errors } = await openPage(browser, frag);
  try {
    if ((await page.getByRole('region', { name: 'Export' }).count()) === 0) {
      t.skip('this build has no Export panel (cargo feature `export` off)');
      return;
    }
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const text = page.getByRole('textbox', { name: 'Exported text' });
    const t0 = await simTime(page);

    await button(page, 'Trace (JSON Lines)').click();
    // The field previews the start; the download holds the whole trace.
    const traceLink = page.getByRole('link', { name: /Download paxoscope-trace\.jsonl/ });
    const [traceFile] = await Promise.all([page.waitForEvent('download'), traceLink.click()]);
    const jsonl = await readFile(await traceFile.path(), 'utf8');
    assert.ok(jsonl.startsWith(await text.inputValue()), 'the preview is the start of the file');
    const events = jsonl.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(events.length > 20, `${events.length} events`);
    assert.ok(events.every((e) => e.t_ms <= t0), 'only what the playhead has seen');

    await button(page, 'Sequence diagram').click();
    const seq = await text.inputValue();
    assert.match(seq, /^sequenceDiagram/);
    assert.match(seq, /mon\.0/);

    await button(page, 'State diagram of mon.1').click();
    assert.match(await text.inputValue(), /^stateDiagram-v2/);
    await button(page, 'Copy').click();
    await page.getByText('Copied', { exact: true }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await text.inputValue());

    const link = page.getByRole('link', { name: /Download paxoscope-state\.mmd/ });
    assert.match(await link.getAttribute('href'), /^blob:/);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), 'paxoscope-state.mmd');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
