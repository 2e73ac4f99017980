// The mermaid diagrams that `paxoscope export` writes really render with mermaid 11.
//
// This test does not need the served playground: it runs the release CLI (building it with
// cargo if target/release/paxoscope is missing; scripts/test.sh has built it in step 1),
// opens a blank page in headless Chromium, injects mermaid's browser bundle from
// node_modules and calls `mermaid.render` on each exported text. Run it alone with
//   node --test tests/e2e/mermaid.test.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const TARGET = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
const CLI = join(TARGET, 'release', 'paxoscope');
const MERMAID_BUNDLE = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');

/** `paxoscope export ARGS...`, its standard output as text. */
function exportText(...args) {
  return execFileSync(CLI, ['export', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Lines of a diagram's body that match `re` (for counting arrows, notes, states). */
function countLines(text, re) {
  return text.split('\n').filter((l) => re.test(l)).length;
}

let browser;
let page;
const errors = [];

before(async () => {
  if (!existsSync(CLI)) {
    // About a minute on two cores with a warm cache; scripts/test.sh builds it earlier.
    execFileSync('cargo', ['build', '--release', '-q', '-p', 'paxoscope-cli'], { cwd: ROOT, stdio: 'inherit' });
  }
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body><div id="out"></div></body></html>');
  await page.addScriptTag({ path: MERMAID_BUNDLE });
  await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' }));
});

after(async () => {
  await browser?.close();
});

/**
 * Renders `text` with mermaid in the page and returns counts read from the SVG: actors
 * (top boxes), messages, notes, states, transitions, and the SVG's size. Rejects with
 * mermaid's own message if the text does not parse.
 */
let renders = 0;
async function render(text) {
  renders += 1;
  const id = `diagram${renders}`;
  return page.evaluate(
    async ({ id, text }) => {
      await window.mermaid.parse(text);
      const { svg } = await window.mermaid.render(id, text);
      const out = document.getElementById('out');
      out.innerHTML = svg;
      const el = out.querySelector('svg');
      const count = (sel) => el.querySelectorAll(sel).length;
      return {
        svgBytes: svg.length,
        actors: [...el.querySelectorAll('text.actor')].map((t) => t.textContent),
        actorBoxes: count('rect.actor-top'),
        messages: count('.messageText'),
        notes: count('.noteText'),
        labels: [...el.querySelectorAll('.noteText, .messageText, .edgeLabel')].map((t) => t.textContent),
        states: [...el.querySelectorAll('g.statediagram-state')].map((g) => g.textContent),
        transitions: count('path.transition'),
        current: count('g.current'),
        errorText: el.textContent.includes('Syntax error'),
      };
    },
    { id, text },
  );
}

test('sequence diagram of the leader-fails tour renders every participant, arrow and note', async () => {
  const text = exportText('--preset', 'leader-fails', '--what', 'sequence', '--from-ms', '4990', '--to-ms', '24000');
  assert.match(text, /^sequenceDiagram\n/);
  const arrows = countLines(text, /^\s+\w+-(>>|->>|x)\w+: /);
  const notes = countLines(text, /^\s+Note over /);
  assert.ok(arrows > 50 && notes > 10, `a busy window: ${arrows} arrows, ${notes} notes`);
  const r = await render(text);
  console.log(`leader-fails 4.99-24 s: ${text.length} bytes of mermaid, ${arrows} arrows, ${notes} notes, SVG ${r.svgBytes} bytes`);
  assert.equal(r.errorText, false);
  assert.equal(r.actorBoxes, 6, 'mon.0..mon.4 and the client');
  for (const name of ['mon.0', 'mon.1', 'mon.2', 'mon.3', 'mon.4', 'client']) {
    assert.ok(r.actors.includes(name), `${name} among ${r.actors}`);
  }
  assert.equal(r.messages, arrows, 'one drawn message per arrow line');
  assert.equal(r.notes, notes, 'one drawn note per note line');
  assert.deepEqual(errors, []);
});

test('state diagram of mon.0 through its crash renders every state and transition', async () => {
  const text = exportText('--preset', 'leader-fails', '--what', 'state', '--node', '0');
  assert.match(text, /^stateDiagram-v2\n/);
  const declared = countLines(text, /^\s+state "/);
  const transitions = countLines(text, / --> /);
  const r = await render(text);
  console.log(`leader-fails mon.0 state diagram: ${text.length} bytes, ${declared} states, ${transitions} transitions, SVG ${r.svgBytes} bytes`);
  assert.equal(r.errorText, false);
  assert.equal(r.states.length, declared, `states drawn: ${r.states}`);
  for (const s of ['probing', 'electing', 'leader/recovering', 'leader/active', 'down']) {
    assert.ok(r.states.includes(s), `${s} among ${r.states}`);
  }
  assert.equal(r.transitions, transitions, 'one edge per transition line (the start arrow included)');
  assert.equal(r.current, 1, 'the final state is highlighted');
  assert.deepEqual(errors, []);
});

test('a peon state diagram and the default start-up sequence render', async () => {
  const state = exportText('--preset', 'leader-fails', '--what', 'state', '--node', '3');
  const rs = await render(state);
  assert.ok(rs.states.includes('peon/active'), `${rs.states}`);
  assert.equal(rs.states.length, countLines(state, /^\s+state "/));
  const seq = exportText('--what', 'sequence');
  const r = await render(seq);
  console.log(`default run sequence (0-60 s): ${seq.length} bytes, ${seq.split('\n').length - 1} lines, SVG ${r.svgBytes} bytes`);
  assert.equal(r.actorBoxes, 5, 'no client participant without client requests');
  assert.equal(r.messages, countLines(seq, /^\s+\w+-(>>|->>|x)\w+: /));
  assert.deepEqual(errors, []);
});

test('characters mermaid treats as syntax are escaped and render as themselves', async () => {
  // Raw, `;` is a parse error and `#1` silently eats the rest of a label.
  const narration = 'a;b #1 "quoted" 50% <b>x</b> {y} | z: w -> end';
  const value = 'v: <1> {2} %% 3; #4';
  const scenario = [
    'paxoscope scenario v1',
    `at 1s note "${narration.replaceAll('"', '\\"')}"`,
    `at 2s put 1 k:1/x "${value}"`,
    'at 3s partition 0 1 | 2 3 4',
    'at 4s cut 0 <-> 1',
    'at 5s heal',
    'end 8s',
  ].join('\n');
  const seq = exportText('--scenario', scenario, '--what', 'sequence', '--from-ms', '900', '--to-ms', '8000');
  const r = await render(seq);
  assert.equal(r.errorText, false);
  assert.equal(r.actorBoxes, 6);
  assert.equal(r.messages, countLines(seq, /^\s+\w+-(>>|->>|x)\w+: /));
  assert.equal(r.notes, countLines(seq, /^\s+Note over /));
  const shown = r.labels.join('\n');
  for (const expected of [`1.000s ${narration}`, `req 1 put k:1/x=${value}`, '3.000s partition 0 1 | 2 3 4', '4.000s cut 0 <-> 1']) {
    assert.ok(shown.includes(expected), `rendered as written: ${expected}\n--- rendered labels:\n${shown}`);
  }
  for (let node = 0; node < 5; node++) {
    const st = exportText('--scenario', scenario, '--what', 'state', '--node', String(node));
    const rs = await render(st);
    assert.equal(rs.states.length, countLines(st, /^\s+state "/), `mon.${node}`);
  }
  assert.deepEqual(errors, []);
});

test('a window past the line cap still renders, with the note saying what was left out', async () => {
  const text = exportText('--preset', 'sync', '--what', 'sequence');
  const last = text.trimEnd().split('\n').pop();
  assert.match(last, /Note over mon0,mon4: \d+ more lines left out \(cap 400\)/);
  const t0 = performance.now();
  const r = await render(text);
  const ms = Math.round(performance.now() - t0);
  console.log(`sync tour, whole run capped at 400 lines: ${text.length} bytes, SVG ${r.svgBytes} bytes, rendered in ${ms} ms`);
  assert.equal(r.notes, countLines(text, /^\s+Note over /));
  assert.deepEqual(errors, []);
});

test('the mermaid examples in docs/trace-format.md render', async () => {
  const doc = readFileSync(join(ROOT, 'docs', 'trace-format.md'), 'utf8');
  const examples = [...doc.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(examples.length, 2, 'a sequence and a state diagram');
  for (const text of examples) {
    const r = await render(text);
    assert.equal(r.errorText, false);
    if (text.startsWith('sequenceDiagram')) assert.equal(r.actorBoxes, countLines(text, /^\s+participant /));
    else assert.equal(r.states.length, countLines(text, /^\s+state "/));
  }
  assert.deepEqual(errors, []);
});
