// The host-page API (docs/embedding.md, "Host-page API"): embed-example.html drives an embedded
// playground with postMessage from its buttons and logs what the frame sends back. Each test
// clicks the host page's buttons (or posts a message itself) and checks the embedded run and
// the events the host received; malformed messages, messages from a frame that is not the
// parent, and hosts outside the `host=` allow-list get the documented treatment.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { launchBrowser, openPage, SCREENSHOT_DIR } from './lib.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** The example page with its driven frame ready (its `ready` event logged). */
async function openHost() {
  const opened = await openPage(browser, 'embed-example.html', { waitFor: '#host-frame', viewport: { width: 900, height: 1000 } });
  const { page } = opened;
  await page.locator('#host-demo').scrollIntoViewIfNeeded();
  await page.locator('#host-log li[data-type=ready]').waitFor();
  // Every later message from the frame, in order (the page's log updates its playhead line in
  // place; the tests want them all).
  await page.evaluate(() => {
    window.seen = [];
    const frame = document.getElementById('host-frame');
    addEventListener('message', (e) => e.source === frame.contentWindow && window.seen.push(e.data));
  });
  const frame = page.frameLocator('#host-frame');
  return { ...opened, frame };
}

/** The messages of this type the frame sent since `openHost` (`ready`: the page's log line). */
async function logged(page, type) {
  if (type === 'ready') {
    const lines = await page.locator('#host-log li[data-type=ready]').allTextContents();
    return lines.map((l) => JSON.parse(l.slice(type.length + 1)));
  }
  return page.evaluate((t) => window.seen.filter((m) => m.type === t), type);
}

/** Waits until the frame has sent a message of this type for which `test` holds. */
function waitFor(page, type, test) {
  return page.waitForFunction(([t, f]) => window.seen.some((m) => m.type === t && new Function('m', `return ${f}`)(m)), [type, test]);
}

const simTime = (frame) => frame.locator('[data-sim-time-ms]').getAttribute('data-sim-time-ms').then(Number);

test('the host page drives the embed: ready, play moves the playhead, seek lands, select shows the node', async () => {
  const { page, frame, errors } = await openHost();
  try {
    const [ready] = await logged(page, 'ready');
    assert.equal(ready.protocol, 'ceph');
    assert.equal(ready.nodes, 5);
    // The frame waits, paused, until the host plays it.
    assert.equal(await simTime(frame), 0);
    await page.selectOption('#host-speed', '50');
    await page.click('[data-host=play]');
    await waitFor(page, 'playhead', 'm.t_ms > 2500 && m.playing');
    await page.click('[data-host=pause]');
    await waitFor(page, 'playhead', 'm.t_ms > 2500 && !m.playing');
    // Throttled: at most one playhead every 250 ms of real time while playing (plus the one
    // when playing starts).
    const playing = (await logged(page, 'playhead')).filter((m) => m.playing);
    assert.ok(playing.length >= 2, `${playing.length} playhead events while playing`);
    // Monitors changed state while it played: the election reached peon and leader.
    const roles = (await logged(page, 'state')).map((s) => s.role);
    assert.ok(roles.includes('leader') && roles.includes('peon'), roles.join(' '));

    await page.fill('#host-t', '8');
    await page.click('[data-host=seek]');
    await page.waitForFunction(() => document.querySelector('#host-frame').contentDocument
      .querySelector('[data-sim-time-ms]')?.getAttribute('data-sim-time-ms') === '8000');
    const last = (await logged(page, 'playhead')).pop();
    assert.equal(last.t_ms, 8000);
    assert.equal(last.playing, false);
    assert.match(last.trace_hash, /^[0-9a-f]{16}$/);
    // The frame's header shows the low 32 bits of the same hash.
    assert.ok(last.trace_hash.endsWith(await frame.locator('[data-trace-hash]').textContent()));

    await page.selectOption('#host-node', '3');
    await page.click('[data-host=select]');
    await frame.locator('[data-node="3"][aria-pressed=true]').waitFor();
    assert.equal(await frame.locator('[data-node="0"]').getAttribute('aria-pressed'), 'false');

    // Seek to an event: half the events run by 8 s. The playhead event counts exactly that
    // many events, and stands before 8 s.
    const half = Math.floor(last.events / 2);
    await page.fill('#host-event', String(half));
    await page.click('[data-host=seek-event]');
    await waitFor(page, 'playhead', `m.events === ${half}`);
    const atEvent = (await logged(page, 'playhead')).pop();
    assert.ok(atEvent.t_ms < 8000 && atEvent.t_ms > 0, JSON.stringify(atEvent));
    assert.equal(await simTime(frame), atEvent.t_ms);
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.locator('#host-demo').screenshot({ path: join(SCREENSHOT_DIR, 'host-api-example.png') });
    assert.deepEqual(await logged(page, 'error'), []);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('state events report what the ring and the diagram show: an electing monitor has no Paxos phase', async () => {
  const { page, frame, errors } = await openHost();
  try {
    const post = (msg) => page.evaluate((m) => document.getElementById('host-frame').contentWindow.postMessage(m, '*'), msg);
    // Seek through the start-up in small steps: each lands paused, and its state events are
    // those of the drawn frame.
    const seen = new Set();
    let compared = 0;
    for (let t = 50; t <= 1500; t += 50) {
      await post({ v: 1, type: 'seek', t_ms: t });
      await page.waitForFunction((ms) => document.getElementById('host-frame').contentDocument
        .querySelector('[data-sim-time-ms]')?.getAttribute('data-sim-time-ms') === String(ms), t);
      await waitFor(page, 'playhead', `m.t_ms === ${t}`);
      // The last report about mon.0 (the selected monitor) names the state its diagram marks
      // and the ring's two lines under its name.
      const last = (await logged(page, 'state')).filter((m) => m.node === 0).pop();
      if (!last) continue; // still as it was when the frame was ready (before the log began)
      const marked = await frame.locator('.embed-diagram .state.current').getAttribute('data-state');
      const ring = frame.locator('#cluster [data-node="0"]');
      assert.deepEqual([last.state, last.role, last.phase],
        [marked, await ring.getAttribute('data-monitor-state'), await ring.getAttribute('data-paxos-state')], `at ${t} ms`);
      seen.add(last.state);
      compared += 1;
    }
    assert.ok(compared >= 10, `${compared} moments compared`);
    const states = await logged(page, 'state');
    // Outside a quorum (probing, electing) there is no consensus phase to report.
    const outside = states.filter((m) => m.role === 'probing' || m.role === 'electing');
    assert.ok(outside.some((m) => m.role === 'electing'), `an electing monitor was reported: ${[...seen]}`);
    for (const m of outside) assert.deepEqual([m.phase, m.state], ['', m.role], JSON.stringify(m));
    // In a quorum the declared state is the role's machine and its phase.
    for (const m of states.filter((m) => m.role === 'leader' || m.role === 'peon')) assert.equal(m.state, `${m.role}-${m.phase}`, JSON.stringify(m));
    assert.ok(seen.has('leader-active') || seen.has('peon-active'), [...seen].join(' '));
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('a tour opens at the note asked for; a loaded scenario that breaks a rule brings a verdict', async () => {
  const { page, frame, errors } = await openHost();
  try {
    await page.selectOption('#host-tour', 'leader-fails');
    await page.fill('#host-note', '4');
    await page.click('[data-host=tour]');
    await frame.locator('.embed-title', { hasText: 'The leader fails' }).waitFor();
    assert.match(await frame.locator('.narration-pos').textContent(), /^4\//);
    assert.match(await frame.locator('[data-narration]').textContent(), /The leader crashes/);
    assert.equal(await simTime(frame), 10_000);
    const [loaded] = await logged(page, 'loaded');
    assert.equal(loaded.name, 'The leader fails');

    await page.fill('#host-scenario', 'paxoscope scenario v1\nname "Commit on a majority"\nbreak commit-on-majority\nseed 1');
    await page.click('[data-host=load]');
    await frame.locator('.embed-title', { hasText: 'Commit on a majority' }).waitFor();
    await page.fill('#host-t', '2');
    await page.click('[data-host=seek]');
    await waitFor(page, 'verdict', 'true');
    const [verdict] = await logged(page, 'verdict');
    assert.equal(verdict.kind, 'violation');
    assert.equal(verdict.rule, 'commit-needs-every-accept');
    assert.ok(verdict.t_ms < 2000 && verdict.event > 0, JSON.stringify(verdict));
    assert.equal(await frame.locator('[data-invariants]').getAttribute('data-invariants'), 'violated');
    assert.deepEqual(await logged(page, 'error'), []);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('malformed and unknown messages get an error naming the field; the run goes on', async () => {
  const { page, frame, errors } = await openHost();
  try {
    const post = (msg) => page.evaluate((m) => document.getElementById('host-frame').contentWindow.postMessage(m, '*'), msg);
    const cases = [
      [{ v: 1, type: 'seek', t_ms: 'soon' }, { command: 'seek', field: 't_ms' }, /^t_ms: expected a whole number from 0 to 9007199254740991, got the string "soon"$/],
      [{ v: 1, type: 'seek' }, { command: 'seek', field: 't_ms' }, /missing field `t_ms`/],
      [{ v: 1, type: 'jump' }, { command: 'jump', field: 'type' }, /^unknown type "jump": the commands are load, play, pause/],
      [{ v: 2, type: 'play' }, { command: 'play', field: 'v' }, /version 1 of the host API; the message says 2/],
      [{ type: 'play' }, { command: 'play', field: 'v' }, /the message says none/],
      ['play', { command: null, field: null }, /a command is an object/],
      [{ v: 1, type: 'select', node: 9 }, { command: 'select', field: 'node' }, /nodes 0 to 4/],
      [{ v: 1, type: 'set-speed', speed_tenths: 5000 }, { command: 'set-speed', field: 'speed_tenths' }, /tenths from 1/],
      [{ v: 1, type: 'tour', id: 'nowhere' }, { command: 'tour', field: 'id' }, /unknown tour "nowhere" \(known: startup/],
      [{ v: 1, type: 'tour', id: 'startup', note: 99 }, { command: 'tour', field: 'note' }, /has \d+ notes, not 99/],
      [{ v: 1, type: 'load', text: 'paxoscope scenario v1\nseed 7\nsed 3' }, { command: 'load', field: 'text', line: 3, column: 1 }, /^line 3, column 1: /],
      [{ v: 1, type: 'load', text: 'x'.repeat(300_000) }, { command: 'load', field: 'text' }, /limit is 262144 bytes/],
    ];
    for (const [i, [msg, fields, message]] of cases.entries()) {
      await post(msg);
      await page.waitForFunction((n) => window.seen.filter((m) => m.type === 'error').length > n, i);
      const got = (await logged(page, 'error'))[i];
      for (const [k, v] of Object.entries(fields)) assert.equal(got[k] ?? null, v, `${JSON.stringify(msg).slice(0, 80)}: ${k} in ${JSON.stringify(got)}`);
      assert.match(got.message, message);
    }
    // The run goes on: the host can still drive it.
    await page.click('[data-host=play]');
    await page.waitForFunction(() => Number(document.querySelector('#host-frame').contentDocument
      .querySelector('[data-sim-time-ms]').getAttribute('data-sim-time-ms')) > 0);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('a frame that is not the parent, and a parent outside the host= allow-list, are ignored', async () => {
  const { page, frame, errors } = await openHost();
  try {
    // A sibling frame of the host page posts to the embed: nothing moves, nothing answers.
    await page.evaluate(() => new Promise((done) => {
      const sibling = document.createElement('iframe');
      sibling.srcdoc = `<script>parent.document.getElementById('host-frame').contentWindow
        .postMessage({ v: 1, type: 'seek', t_ms: 5000 }, '*');
        parent.document.getElementById('host-frame').contentWindow.postMessage({ v: 1, type: 'jump' }, '*');
        parent.postMessage('sibling-sent', '*');<\/script>`;
      addEventListener('message', (e) => e.data === 'sibling-sent' && done());
      document.body.append(sibling);
    }));
    // A command from the parent after the sibling's: the embed has handled both by then.
    await page.fill('#host-t', '1');
    await page.click('[data-host=seek]');
    await page.waitForFunction(() => document.querySelector('#host-frame').contentDocument
      .querySelector('[data-sim-time-ms]')?.getAttribute('data-sim-time-ms') === '1000');
    const times = (await logged(page, 'playhead')).map((p) => p.t_ms);
    assert.ok(!times.includes(5000), `the sibling's seek was ignored: ${times}`);
    assert.deepEqual(await logged(page, 'error'), [], "the sibling's bad message got no answer");

    // With ?host= naming another origin, this page neither drives the frame nor hears it.
    await page.evaluate(() => {
      window.seen = [];
      document.getElementById('host-frame').src = 'index.html?embed=1&host=https://docs.example#paxoscope+scenario+v1;seed+3';
    });
    await frame.locator('[data-node]').first().waitFor();
    await page.click('[data-host=play]');
    await page.waitForTimeout(1500);
    assert.equal(await simTime(frame), 0, 'play from a host outside the allow-list was ignored');
    assert.deepEqual(await page.evaluate(() => window.seen), [], 'no event reached a host outside the allow-list');

    // Listing this page's own origin lets it drive again.
    const origin = await page.evaluate(() => location.origin);
    await page.evaluate((o) => { document.getElementById('host-frame').src = `index.html?embed=1&host=${o}#paxoscope+scenario+v1;seed+4`; }, origin);
    await waitFor(page, 'ready', 'true');
    await page.click('[data-host=play]');
    await page.waitForFunction(() => Number(document.querySelector('#host-frame').contentDocument
      .querySelector('[data-sim-time-ms]')?.getAttribute('data-sim-time-ms')) > 0);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});
