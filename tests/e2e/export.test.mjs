// The Export panel as a reader uses it: pick a window of simulated time and a monitor, export
// the trace (JSON Lines), a mermaid sequence diagram or a mermaid state diagram, copy it or
// download it. The files must be what `paxoscope export` writes for the same scenario and
// window (the CLI is the reference: the wasm run and the native run are the same run), and
// the diagrams must render with mermaid 11 (the renderer of mermaid.test.mjs).
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot, SCREENSHOT_DIR } from './lib.mjs';
import { button, fragment, simTime } from './links.mjs';
import { ARROW, countLines, ensureCli, exportText, NOTE, openMermaid, STATE } from './mermaid.mjs';

// A write at 3 s, a crash of mon.2 at 5 s: the window 2.5-6 s has client arrows, drops and
// a crash; the playground opens paused at 8 s with mon.1 selected.
const SCENARIO = ['paxoscope scenario v1', 'seed 42', 'set latency_ms 30', 'at 3s put 1 color blue', 'at 5s crash 2'];
const FRAGMENT = fragment([...SCENARIO, 'view t 8s node 1 speed 1 paused']);
const CLI_SCENARIO = SCENARIO.join('\n');

let browser;
let mermaid;
before(async () => {
  ensureCli();
  browser = await launchBrowser();
  mermaid = await openMermaid(browser);
});
after(async () => {
  await browser?.close();
});

/** Saves a PNG of the panel alone to tests/e2e/screenshots/NAME.png. */
async function panelShot(panel, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

/** The page with the Export panel, and helpers to drive it. */
async function openExport() {
  const opened = await openPage(browser, FRAGMENT);
  const { page, context } = opened;
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const panel = page.getByRole('region', { name: 'Export' });
  await panel.waitFor();
  const from = panel.getByRole('textbox', { name: 'Window start (s)' });
  const to = panel.getByRole('textbox', { name: 'Window end (s)' });
  const text = panel.getByRole('textbox', { name: 'Exported text' });
  const setWindow = async (a, b) => {
    await from.fill(a);
    await to.fill(b);
  };
  /** Clicks the download link and returns { name, body } of the file the browser saved. */
  const download = async () => {
    const link = panel.getByRole('link', { name: /^Download / });
    assert.match(await link.getAttribute('href'), /^blob:/);
    const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
    return { name: file.suggestedFilename(), body: await readFile(await file.path(), 'utf8') };
  };
  return { ...opened, panel, from, to, text, setWindow, download };
}

test('export: the trace of a chosen window, as JSON Lines, is the CLI export of that window', async () => {
  const { page, context, errors, from, to, panel, setWindow, download } = await openExport();
  // The shipped page loads the export's writers (the family page's wasm) only when asked.
  const family = [];
  page.on('request', (r) => /\/family\/.*\.wasm$/.test(r.url()) && family.push(r.url()));
  const shipped = !(await page.evaluate(() => location.pathname.includes('/family/')));
  try {
    assert.equal(await simTime(page), 8000, 'opened paused at 8 s');
    assert.deepEqual(family, [], 'no exporter loaded before an export is asked for');
    assert.equal(await from.inputValue(), '3', 'default window: the 5 s before the playhead');
    assert.equal(await to.inputValue(), '8');

    await setWindow('2.5', '6');
    await button(page, 'Trace (JSON Lines)').click();
    const { name, body } = await download();
    assert.equal(name, 'paxoscope-trace-2500-6000ms.jsonl');
    const lines = body.split('\n');
    assert.equal(lines.pop(), '', 'every line ends in a newline');
    const events = lines.map((l) => JSON.parse(l));
    const cli = exportText('--scenario', CLI_SCENARIO, '--what', 'trace', '--from-ms', '2500', '--to-ms', '6000');
    assert.equal(events.length, cli.split('\n').length - 1, 'as many events as the CLI exports for the window');
    assert.equal(body, cli, 'byte for byte the CLI export');
    assert.ok(events.every((e) => e.t_ms >= 2500 && e.t_ms <= 6000), 'only the window');
    assert.ok(events.some((e) => e.event === 'client_request' && e.op?.Put?.value === 'blue'), 'the write at 3 s');
    assert.ok(events.some((e) => e.event === 'crash' && e.node === 2), 'the crash at 5 s');
    if (shipped) assert.equal(family.length, 1, `the exporter module loaded once: ${family}`);
    await panel.getByText(`${events.length} trace events, 2.500 s – 6.000 s`).waitFor();

    // "Whole run" exports from 0 to the playhead.
    await button(page, 'Whole run').click();
    assert.equal(await from.inputValue(), '0');
    assert.equal(await to.inputValue(), '8');
    await button(page, 'Trace (JSON Lines)').click();
    const whole = await download();
    assert.equal(whole.name, 'paxoscope-trace-0-8000ms.jsonl');
    assert.equal(whole.body, exportText('--scenario', CLI_SCENARIO, '--what', 'trace', '--to-ms', '8000'));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('export: sequence and state diagrams of the window and monitor render, copied and downloaded', async () => {
  const { page, context, errors, panel, text, setWindow, download } = await openExport();
  try {
    await setWindow('2.5', '6');
    await button(page, 'Sequence diagram').click();
    const seq = await text.inputValue();
    assert.equal(seq, exportText('--scenario', CLI_SCENARIO, '--what', 'sequence', '--from-ms', '2500', '--to-ms', '6000'));
    const r = await mermaid.render(seq);
    assert.equal(r.errorText, false);
    assert.equal(r.actorBoxes, 6, 'mon.0..mon.4 and the client');
    const arrows = countLines(seq, ARROW);
    assert.ok(arrows > 20, `${arrows} arrows`);
    assert.equal(r.messages, arrows, 'one drawn message per arrow line');
    assert.equal(r.notes, countLines(seq, NOTE), 'one drawn note per note line');
    assert.ok(r.labels.some((l) => l.includes('req 1 put color=blue')), 'the client write is drawn');
    const seqFile = await download();
    assert.equal(seqFile.name, 'paxoscope-sequence-2500-6000ms.mmd');
    assert.equal(seqFile.body, seq);

    // The state diagram follows the selected monitor (mon.1, from the link) until another is chosen.
    assert.equal(await panel.getByRole('combobox', { name: 'Monitor of the state diagram' }).inputValue(), '1');
    await panel.getByRole('combobox', { name: 'Monitor of the state diagram' }).selectOption('mon.2');
    await button(page, 'State diagram of mon.2').click();
    const state = await text.inputValue();
    assert.equal(state, exportText('--scenario', CLI_SCENARIO, '--what', 'state', '--node', '2', '--from-ms', '2500', '--to-ms', '6000'));
    const rs = await mermaid.render(state);
    assert.equal(rs.states.length, countLines(state, STATE), `states drawn: ${rs.states}`);
    assert.ok(rs.states.includes('down'), `mon.2 crashed at 5 s: ${rs.states}`);
    assert.equal(rs.current, 1, 'the state it ended in is highlighted');

    await button(page, 'Copy').click();
    await panel.getByText('Copied', { exact: true }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), state);
    const stateFile = await download();
    assert.equal(stateFile.name, 'paxoscope-state-mon2-2500-6000ms.mmd');
    assert.equal(stateFile.body, state);
    await panelShot(panel, 'export-panel');
    await screenshot(page, 'export-page');
    assert.deepEqual(errors, [], 'no page errors');
    assert.deepEqual(mermaid.errors, [], 'no mermaid errors');
  } finally {
    await context.close();
  }
});

test('export: a backwards, future, unreadable or empty window says what is wrong', async () => {
  const { page, context, errors, panel, text, setWindow } = await openExport();
  try {
    const alert = panel.getByRole('alert');
    const tryWindow = async (a, b, what) => {
      await setWindow(a, b);
      await button(page, what).click();
      return alert.textContent();
    };
    assert.equal(await tryWindow('7', '6', 'Sequence diagram'), 'The window starts at 7.000 s but ends earlier, at 6.000 s.');
    assert.equal(await text.count(), 0, 'no export shown');
    assert.equal(
      await tryWindow('1', '12', 'Trace (JSON Lines)'),
      'The window ends at 12.000 s, after the playhead (8.000 s): only what has happened can be exported.',
    );
    assert.equal(await tryWindow('soon', '6', 'State diagram of mon.1'), 'From: “soon” is not a time in seconds (like 4.5).');
    // A number that is a time but too fine or too large is told as such.
    assert.equal(
      await tryWindow('2.5', '6.0005', 'Trace (JSON Lines)'),
      'To: “6.0005” has more than 3 decimals: times go to the millisecond (like 4.125).',
    );
    assert.equal(
      await tryWindow('99999999999999999999', '6', 'Trace (JSON Lines)'),
      'From: “99999999999999999999” is too large a number of seconds.',
    );

    // A millisecond in which nothing happened, found in the CLI's trace of the run.
    const busy = new Set(
      exportText('--scenario', CLI_SCENARIO, '--what', 'trace', '--to-ms', '8000')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).t_ms),
    );
    let quiet = 6000;
    while (busy.has(quiet)) quiet += 1;
    assert.ok(quiet < 8000, 'a quiet millisecond before the playhead');
    const s = (quiet / 1000).toFixed(3);
    assert.equal(await tryWindow(s, s, 'Trace (JSON Lines)'), `Nothing happened between ${s} s and ${s} s: widen the window.`);
    await panelShot(panel, 'export-error');

    // A good window replaces the message with the export.
    await setWindow('2', '6');
    await button(page, 'Trace (JSON Lines)').click();
    await text.waitFor();
    assert.equal(await alert.count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('export: a long run is re-derived in slices, so the page answers while the exporter works', async () => {
  // Leases renewed every 10 ms: about 510,000 events in 900 s, which the exporter module
  // replays from 0 before it writes the window (the shipped page; the family page writes
  // from its own recorded run).
  const LONG = ['paxoscope scenario v1', 'seed 42', 'set lease_renew_ms 10', 'set lease_ms 50', 'at 3s put 1 color blue'];
  const { page, context, errors } = await openPage(browser, fragment([...LONG, 'view t 900s node 1 speed 1 paused']));
  const shipped = !(await page.evaluate(() => location.pathname.includes('/family/')));
  try {
    const panel = page.getByRole('region', { name: 'Export' });
    await panel.scrollIntoViewIfNeeded();
    const exportWindow = async (from_s) => {
      await panel.getByRole('textbox', { name: 'Window start (s)' }).fill(String(from_s));
      await panel.getByRole('textbox', { name: 'Window end (s)' }).fill('900');
      await page.evaluate(() => {
        globalThis.longTasksMs = [];
        new PerformanceObserver((l) => l.getEntries().forEach((e) => globalThis.longTasksMs.push(e.duration)))
          .observe({ type: 'longtask' });
      });
      await button(page, 'Trace (JSON Lines)').click();
      const file = `paxoscope-trace-${from_s * 1000}-900000ms.jsonl`;
      await panel.getByRole('link', { name: `Download ${file}` }).waitFor({ timeout: 60_000 });
      return page.evaluate(() => globalThis.longTasksMs);
    };
    await exportWindow(896); // the first loads the exporter module (its compile is not ours to judge)
    const long = await exportWindow(895);
    const text = await panel.getByRole('textbox', { name: 'Exported text' }).inputValue();
    const cli = exportText('--scenario', LONG.join('\n'), '--what', 'trace', '--from-ms', '895000', '--to-ms', '900000');
    assert.ok(text.length > 0 && cli.startsWith(text), 'the window as the CLI writes it (the field shows its start)');
    console.log(`export of a 900 s run: long tasks ${JSON.stringify(long.map(Math.round))} ms`);
    if (shipped) assert.ok(long.every((ms) => ms < 100), `no task of 100 ms or more while exporting: ${long}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
