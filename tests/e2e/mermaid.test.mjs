// The mermaid diagrams that `paxoscope export` writes really render with mermaid 11.
//
// This test does not need the served playground: it runs the release CLI (building it with
// cargo if target/release/paxoscope is missing; scripts/test.sh has built it in step 1),
// opens a blank page in headless Chromium, injects mermaid's browser bundle from
// node_modules and calls `mermaid.render` on each exported text. Run it alone with
//   node --test tests/e2e/mermaid.test.mjs
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser } from './lib.mjs';
import { ARROW, countLines, ensureCli, exportText, NOTE, openMermaid, ROOT, STATE } from './mermaid.mjs';

let browser;
let render;
let errors;

before(async () => {
  ensureCli();
  browser = await launchBrowser();
  ({ render, errors } = await openMermaid(browser));
});

after(async () => {
  await browser?.close();
});

test('sequence diagram of the leader-fails tour renders every participant, arrow and note', async () => {
  const text = exportText('--preset', 'leader-fails', '--what', 'sequence', '--from-ms', '4990', '--to-ms', '24000');
  assert.match(text, /^sequenceDiagram\n/);
  const arrows = countLines(text, ARROW);
  const notes = countLines(text, NOTE);
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
  const declared = countLines(text, STATE);
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
  assert.equal(rs.states.length, countLines(state, STATE));
  const seq = exportText('--what', 'sequence');
  const r = await render(seq);
  console.log(`default run sequence (0-60 s): ${seq.length} bytes, ${seq.split('\n').length - 1} lines, SVG ${r.svgBytes} bytes`);
  assert.equal(r.actorBoxes, 5, 'no client participant without client requests');
  assert.equal(r.messages, countLines(seq, ARROW));
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
  assert.equal(r.messages, countLines(seq, ARROW));
  assert.equal(r.notes, countLines(seq, NOTE));
  const shown = r.labels.join('\n');
  for (const expected of [`1.000s ${narration}`, `req 1 put k:1/x=${value}`, '3.000s partition 0 1 | 2 3 4', '4.000s cut 0 <-> 1']) {
    assert.ok(shown.includes(expected), `rendered as written: ${expected}\n--- rendered labels:\n${shown}`);
  }
  for (let node = 0; node < 5; node++) {
    const st = exportText('--scenario', scenario, '--what', 'state', '--node', String(node));
    const rs = await render(st);
    assert.equal(rs.states.length, countLines(st, STATE), `mon.${node}`);
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
  assert.equal(r.notes, countLines(text, NOTE));
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
    else assert.equal(r.states.length, countLines(text, STATE));
  }
  assert.deepEqual(errors, []);
});
