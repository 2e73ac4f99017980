// The story on one screen (issue 21): tours that finish, a first minute that teaches, keys
// without traps, undo. Each test acts as a reader would and checks what they would see.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot } from './lib.mjs';
import { button, fragment, fullSpeed, monitors, presets, rawSimTime } from './links.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const PRESETS = presets();
const byFile = (file) => PRESETS.find((p) => p.file === file);
const narration = (page) => page.locator('[data-narration]');
const notice = (page) => page.locator('.controls .notice');
const tourEnd = (page) => page.locator('[data-tour-end]');

test('a tour that plays to its end says so: Play and Step do not go on, the next tour and free play are offered', async () => {
  const startup = byFile('startup.scenario');
  const { page, context, errors } = await openPage(browser, '#tour=startup');
  try {
    assert.equal(await tourEnd(page).count(), 0, 'no end panel at the start');
    await fullSpeed(page);
    await button(page, 'Play').click();
    await tourEnd(page).waitFor({ timeout: 30_000 });
    assert.equal(await rawSimTime(page), startup.endMs);
    assert.equal(await narration(page).textContent(), startup.notes.at(-1).text, 'the last note is shown');
    assert.match(await tourEnd(page).textContent(), /Tour finished/);
    // The next tour of the same protocol is offered by its title.
    const next = tourEnd(page).locator('[data-tour]');
    assert.equal(await next.count(), 1, 'the first tour has no previous one');
    assert.equal(await next.getAttribute('data-tour'), 'leader-fails');
    await screenshot(page, 'tour-end', { fullPage: false });
    // Play and Step say why they do not move on.
    await button(page, 'Play').click();
    await notice(page).getByText(/ends at 12\.000 s/).waitFor();
    assert.equal(await rawSimTime(page), startup.endMs, 'Play did not restart or move');
    await button(page, 'Reset').click();
    await button(page, 'Undo').click();
    await tourEnd(page).waitFor();
    await button(page, 'Step').click();
    await notice(page).getByText(/ends at 12\.000 s/).waitFor();
    assert.equal(await rawSimTime(page), startup.endMs, 'Step did not go past the end');
    // Keep playing from here: the end is lifted and time goes on.
    await tourEnd(page).getByRole('button', { name: 'Keep playing from here' }).click();
    await page.waitForFunction((end) => Number(document.querySelector('[data-sim-time-ms]').dataset.simTimeMs) > end + 1000, startup.endMs);
    assert.equal(await tourEnd(page).count(), 0);
    // The next tour opens at its first note.
    await button(page, 'Pause').click();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the broken tour ends at the violation with its last note shown and no dead "next"', async () => {
  const broken = byFile('break-majority.scenario');
  const { page, context, errors } = await openPage(browser, '#tour=break-majority');
  try {
    for (let i = 1; i < broken.notes.length; i++) await button(page, 'Next note').click();
    await page.waitForFunction((t) => Number(document.querySelector('[data-sim-time-ms]').dataset.simTimeMs) === t, broken.notes.at(-1).atMs);
    assert.equal(await narration(page).textContent(), broken.notes.at(-1).text);
    assert.ok(await button(page, 'Next note').isDisabled(), 'nothing after the last note');
    await tourEnd(page).waitFor();
    assert.match(await tourEnd(page).textContent(), /checker stopped the run/);
    assert.equal(await tourEnd(page).getByRole('button', { name: 'Keep playing from here' }).count(), 0);
    // Step says the run stopped instead of doing nothing.
    await button(page, 'Step').click();
    await notice(page).waitFor();
    assert.match(await notice(page).textContent(), /stopped/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('every tour of the page opens at its first note', async () => {
  const { page, context, errors } = await openPage(browser, '');
  try {
    const select = page.getByRole('combobox', { name: 'Tour', exact: true });
    const offered = await select
      .locator('option')
      .evaluateAll((os) => os.filter((o) => o.value).map((o) => ({ id: o.value, title: o.textContent.replace(/^Tour: /, '') })));
    assert.ok(offered.length >= 10, `${offered.length} tours`);
    for (const { id, title } of offered) {
      await select.selectOption(id);
      await page.waitForFunction((t) => document.querySelector('.scenario-name')?.textContent === t, title);
      assert.match(await page.locator('.narration-pos').textContent(), /^1\//, `${id} opens at its first note`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('probing and electing monitors show no Paxos phase', async () => {
  const { page, context, errors } = await openPage(browser, '#tour=startup');
  try {
    const mons = await monitors(page);
    assert.ok(mons.every((m) => m.role === 'probing'), JSON.stringify(mons));
    assert.ok(mons.every((m) => m.phase === ''), 'no "recovering" under a probing monitor');
    assert.equal(await page.locator('#cluster .node-phase').evaluateAll((ts) => ts.map((t) => t.textContent).join('')), '');
    // The same while they elect (the tour's fourth note: every monitor has called an election).
    for (let i = 0; i < 3; i++) await button(page, 'Next note').click();
    await page.waitForFunction(() => [...document.querySelectorAll('#cluster [data-node]')].every((n) => n.dataset.monitorState === 'electing'));
    assert.ok((await monitors(page)).every((m) => m.phase === ''), 'no "recovering" under an electing monitor');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a first visit opens on a welcome that waits, and is remembered', async () => {
  const { page, context, errors } = await openPage(browser, '', { firstVisit: true });
  try {
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Each circle/);
    assert.equal(await rawSimTime(page), 0, 'the run waits for the reader');
    await screenshot(page, 'first-visit', { fullPage: false });
    await dialog.getByRole('button', { name: 'Play freely' }).click();
    assert.equal(await dialog.count(), 0);
    // Free play starts slowly enough to watch the election: at 0.2x it takes seconds.
    assert.equal(await page.locator('.speed-value').textContent(), '0.2x');
    await page.waitForFunction(() => Number(document.querySelector('[data-sim-time-ms]').dataset.simTimeMs) > 0);
    await page.reload();
    await page.waitForSelector('[data-node]');
    assert.equal(await page.getByRole('dialog').count(), 0, 'not shown again');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the welcome keeps the keyboard: Tab and Shift+Tab stay on its two buttons, Escape plays freely', async () => {
  const { page, context, errors } = await openPage(browser, '', { firstVisit: true });
  try {
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? '');
    await dialog.getByRole('button', { name: 'Play freely' }).focus();
    const seen = new Set();
    for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      const f = await focused();
      assert.ok(['Take the 2-minute tour', 'Play freely'].includes(f), `after ${key} the focus is on "${f}", outside the welcome`);
      seen.add(f);
    }
    assert.equal(seen.size, 2, 'Tab reaches both buttons');
    await page.keyboard.press('Escape');
    assert.equal(await dialog.count(), 0, 'Escape closed the welcome');
    assert.equal(await page.locator('.speed-value').textContent(), '0.2x', 'as "Play freely" does');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the welcome takes the reader to the first tour; links and embeds never show it', async () => {
  const { page, context, errors } = await openPage(browser, '', { firstVisit: true });
  try {
    await page.getByRole('dialog').getByRole('button', { name: 'Take the 2-minute tour' }).click();
    await page.waitForFunction((t) => document.querySelector('.scenario-name')?.textContent === t, byFile('startup.scenario').title);
    assert.equal(await page.getByRole('dialog').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
  for (const path of ['#tour=lease', '?embed=1#tour=startup']) {
    const { page, context } = await openPage(browser, path, { firstVisit: true });
    try {
      await page.waitForTimeout(300);
      assert.equal(await page.getByRole('dialog').count(), 0, path);
    } finally {
      await context.close();
    }
  }
});

test('the line under each monitor is explained: a tooltip and a legend line', async () => {
  const { page, context, errors } = await openPage(browser, '#tour=startup');
  try {
    const meta = page.locator('#cluster [data-node="0"] .node-meta');
    assert.match(await meta.textContent(), /^e\d+ · lc \d+/);
    assert.match(await meta.locator('title').textContent(), /election epoch.*last committed/);
    assert.match(await page.locator('.legend-meta').textContent(), /election epoch.*last committed version/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

for (const viewport of [{ width: 800, height: 600 }, { width: 390, height: 844 }]) {
  test(`at ${viewport.width}x${viewport.height} the tour note and the ring share the screen`, async () => {
    const { page, context, errors } = await openPage(browser, '#tour=startup', { viewport });
    try {
      const note = await narration(page).boundingBox();
      const ring = await page.locator('#cluster').boundingBox();
      assert.ok(note.y >= 0 && note.y + note.height <= viewport.height, `note ${JSON.stringify(note)}`);
      // The whole ring is on screen below or beside the note.
      assert.ok(ring.y >= 0 && ring.y + ring.height <= viewport.height + 1, `ring ${JSON.stringify(ring)}`);
      assert.ok(ring.height >= 180, `a ring large enough to read: ${ring.height}px`);
      await screenshot(page, `narrow-${viewport.width}`, { fullPage: false });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test('Space and k play and pause wherever the focus is; a focused button is not pressed again', async () => {
  const { page, context, errors } = await openPage(browser, '#tour=startup');
  try {
    const playing = () => page.getByRole('button', { name: 'Pause', exact: true }).count();
    await page.locator('#cluster [data-node="2"]').click();
    const isolate = page.locator('.panel.faults').getByRole('button', { name: 'Isolate', exact: true });
    await isolate.focus();
    await page.keyboard.press('Enter');
    await page.locator('.panel.faults .notice').getByText(/isolate mon\.2/).waitFor();
    const isolates = () => page.evaluate(() => (decodeURIComponent(location.hash).match(/isolate/g) || []).length);
    await page.waitForFunction(() => decodeURIComponent(location.hash).includes('isolate'));
    assert.equal(await isolates(), 1);
    assert.equal(await playing(), 0);
    await page.keyboard.press(' ');
    await page.waitForFunction(() => document.querySelector('.controls .btn.primary').getAttribute('aria-label') === 'Pause');
    await page.keyboard.press('k');
    await page.waitForFunction(() => document.querySelector('.controls .btn.primary').getAttribute('aria-label') === 'Play');
    await page.waitForTimeout(1200);
    assert.equal(await isolates(), 1, 'Space did not isolate a second time');
    // Animated messages are not in the tab order; the list under the ring names them.
    assert.equal(await page.locator('#cluster .msg[tabindex]').count(), 0);
    const list = page.locator('.flight-list');
    await list.locator('summary').click();
    assert.match(await list.locator('summary').textContent(), /Messages in flight \(\d+\)/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('Undo (button and Ctrl+Z) takes back an injected action and a Reset', async () => {
  const { page, context, errors } = await openPage(browser, '#tour=startup');
  try {
    const undo = button(page, 'Undo');
    assert.ok(await undo.isDisabled(), 'nothing to undo at first');
    await page.locator('#cluster [data-node="1"]').click();
    await page.locator('.panel.faults').getByRole('button', { name: 'Crash', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('#cluster [data-node="1"]').dataset.monitorState === 'down');
    assert.match(await undo.getAttribute('title'), /crash mon\.1/);
    await page.locator('body').press('Control+z');
    await page.waitForFunction(() => document.querySelector('#cluster [data-node="1"]').dataset.monitorState !== 'down');
    assert.ok(await undo.isDisabled());
    // Reset, then Undo: back where the playhead stood, with the action taken before.
    await page.locator('.panel.faults').getByRole('button', { name: 'Crash', exact: true }).click();
    const t = await rawSimTime(page);
    await button(page, 'Reset').click();
    await page.waitForFunction(() => document.querySelector('[data-sim-time-ms]').dataset.simTimeMs === '0');
    await undo.click();
    await page.waitForFunction((t) => Number(document.querySelector('[data-sim-time-ms]').dataset.simTimeMs) === t, t);
    assert.equal((await monitors(page))[1].role, 'down');
    await notice(page).getByText(/Undone: Reset/).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('acting in the past says so at the control used', async () => {
  const { page, context, errors } = await openPage(browser, '#tour=startup');
  try {
    await fullSpeed(page);
    await button(page, 'Play').click();
    await tourEnd(page).waitFor({ timeout: 30_000 });
    await page.getByRole('slider', { name: 'Time' }).fill('1000');
    await page.locator('#cluster [data-node="3"]').click();
    await page.locator('.panel.faults').getByRole('button', { name: 'Crash', exact: true }).click();
    const n = page.locator('.panel.faults .notice');
    await n.getByText(/Acted in the past/).waitFor();
    assert.match(await n.textContent(), /recorded future after this moment was dropped \(Undo/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

const OPERATOR = fragment([
  'paxoscope scenario v1',
  'name "Operator"',
  'seed 42',
  'set latency_ms 100',
  'set jitter_ms 50',
  'view t 1500ms node 0 speed 1 paused',
]);
const glance = (page, r) => page.locator(`#cluster [data-node="${r}"] .node-glance`);
const aria = (page, r) => page.locator(`#cluster [data-node="${r}"]`).getAttribute('aria-label');

test('at 1280x800 the ring, the selected node\'s diagram and controls and the client fit one screen; acting does not scroll', async () => {
  const { page, context, errors } = await openPage(browser, OPERATOR);
  try {
    const height = 800;
    const faults = page.locator('.panel.faults');
    const boxes = {
      ring: await page.locator('#cluster').boundingBox(),
      diagram: await page.locator('.diagram-panel').boundingBox(),
      isolate: await faults.getByRole('button', { name: 'Isolate', exact: true }).boundingBox(),
      put: await page.locator('.panel.client').getByRole('button', { name: 'Put', exact: true }).boundingBox(),
    };
    for (const [name, b] of Object.entries(boxes)) assert.ok(b.y >= 0 && b.y + b.height <= height, `${name}: ${JSON.stringify(b)}`);
    // A stalled write says what it waits for: mon.3 cut off, a put via the leader.
    await page.locator('#cluster [data-node="3"]').click();
    await faults.getByRole('button', { name: 'Isolate', exact: true }).click();
    assert.equal(await page.evaluate(() => window.scrollY), 0, 'Isolate did not scroll the ring away');
    await glance(page, 3).and(page.locator('[data-isolated]')).waitFor();
    assert.match(await aria(page, 3), /isolated/);
    await page.getByRole('combobox', { name: 'Client target' }).selectOption({ label: 'mon.0' });
    await page.locator('.panel.client').getByRole('button', { name: 'Put', exact: true }).click();
    assert.equal(await page.evaluate(() => window.scrollY), 0, 'Put did not scroll the ring away');
    await button(page, 'Play').click();
    await page.locator('#cluster [data-node="0"] .node-glance[data-waiting="ACCEPT from mon.3"]').waitFor();
    await button(page, 'Pause').click();
    assert.match(await glance(page, 0).locator('title').textContent(), /^waiting for ACCEPT from mon\.3, timeout in \d+\.\d s$/);
    assert.match(await aria(page, 0), /waiting for ACCEPT from mon\.3, timeout in/);
    // The stalled write's own row says the same, from the node that holds it.
    assert.match(await page.locator('.panel.client [data-req-wait]').first().textContent(), /^mon\.0 waits for ACCEPT from mon\.3, timeout in \d+\.\d s$/);
    // The leader cut off: the peons' leases run out and they say so.
    await faults.getByRole('button', { name: 'Heal all', exact: true }).click();
    await page.locator('#cluster [data-node="0"]').click();
    await faults.getByRole('button', { name: 'Isolate', exact: true }).click();
    await glance(page, 0).and(page.locator('[data-isolated]')).waitFor();
    await button(page, 'Play').click();
    await page.waitForFunction(() => document.querySelector('#cluster [data-node="1"]').getAttribute('aria-label').includes('lease expired'));
    await button(page, 'Pause').click();
    assert.equal(await page.locator('#cluster [data-node="1"] .node-lease').getAttribute('data-readable'), 'false');
    assert.equal(await page.evaluate(() => window.scrollY), 0);
    await screenshot(page, 'operator-isolated-leader', { fullPage: false });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a one-way cut shows its blocked direction with an arrow on the link', async () => {
  const { page, context, errors } = await openPage(browser, OPERATOR);
  try {
    assert.equal(await page.locator('#cluster .cut-arrow').count(), 0);
    await page.getByRole('combobox', { name: 'Cut from' }).selectOption({ label: 'mon.1' });
    await page.getByRole('combobox', { name: 'Cut to' }).selectOption({ label: 'mon.2' });
    await page.locator('.panel.faults').getByRole('button', { name: 'Cut link', exact: true }).click();
    await page.locator('#cluster .cut-arrow').waitFor();
    assert.equal(await page.locator('#cluster .cut-arrow').count(), 1, 'one arrow: one direction is cut');
    // The arrow points from mon.1 towards mon.2: its tip is nearer mon.2.
    const tip = await page.locator('#cluster .cut-arrow').evaluate((p) => p.getAttribute('points').split(' ')[0].split(',').map(Number));
    const centre = (r) => page.locator(`#cluster [data-node="${r}"]`).evaluate((g) => g.getAttribute('transform').match(/[-\d.]+/g).map(Number));
    const [m1, m2] = [await centre(1), await centre(2)];
    const d = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1]);
    assert.ok(d(tip, m2) < d(tip, m1), `tip ${tip} nearer mon.2 ${m2} than mon.1 ${m1}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('an embed at 700x450 reads well: labels of 11 px or more, a close-up diagram, notes that scroll visibly', async () => {
  const viewport = { width: 700, height: 450 };
  const { page, context, errors } = await openPage(browser, '?embed=1#tour=leader-fails', { viewport });
  try {
    // Every label drawn on the ring is at least 11 px high.
    const heights = await page.locator('#cluster text').evaluateAll((ts) =>
      ts.filter((t) => getComputedStyle(t).display !== 'none' && t.textContent.trim()).map((t) => [t.textContent, t.getBoundingClientRect().height]),
    );
    assert.ok(heights.length >= 10, `${heights.length} labels`);
    for (const [text, h] of heights) assert.ok(h >= 11, `"${text}" is ${h.toFixed(1)} px high`);
    // The diagram frames the current state and its neighbours, whole, in readable type.
    const svg = page.locator('.embed-diagram .diagram-svg');
    const frame = await svg.boundingBox();
    const current = await page.locator('.embed-diagram .state.current').boundingBox();
    assert.ok(current.x >= frame.x && current.x + current.width <= frame.x + frame.width + 0.5, 'the current state is whole');
    const sizes = await page.locator('.embed-diagram .state text').evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect()).filter((r) => r.width > 0).map((r) => r.height));
    assert.ok(Math.min(...sizes) >= 11, `state labels ${Math.min(...sizes).toFixed(1)} px`);
    // A note longer than its box scrolls, with a scrollbar that shows.
    const note = page.locator('[data-narration]');
    // (The tour opens just before its first note: the first press goes to note 1's moment.)
    for (let i = 0; i < 4; i++) await page.getByRole('button', { name: 'Next note' }).click();
    await page.locator('.narration-pos').getByText(/^4\//).waitFor();
    const box = await note.evaluate((p) => ({ overflow: getComputedStyle(p).overflowY, shown: p.clientHeight, whole: p.scrollHeight }));
    assert.equal(box.overflow, 'scroll', 'a scrollbar is drawn');
    assert.ok(box.whole > box.shown, `the fourth note is longer than its box (${box.whole} > ${box.shown}) and scrolls`);
    const bottom = await page.locator('.embed .narration').evaluate((n) => n.getBoundingClientRect().bottom);
    assert.ok(bottom <= viewport.height, `the note's panel ends inside the frame (${bottom})`);
    await screenshot(page, 'story-embed-700x450', { fullPage: false });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

/** Screen boxes of every text written under the ring's nodes, and of the drop labels. */
const ringTexts = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('#cluster .node-meta, #cluster .node-lease, #cluster .node-glance, #cluster .drop-mark')]
      .filter((t) => t.textContent.trim() !== '')
      .map((t) => {
        const b = t.getBoundingClientRect();
        return { node: t.closest('[data-node]')?.dataset.node ?? 'drop', text: t.textContent, x: b.x, y: b.y, r: b.right, b: b.bottom };
      }),
  );

for (const [id, needle] of [['el-chain', 'wins epoch'], ['el-star', 'wins epoch'], ['minority', 'Nothing commits']]) {
  test(`${id}: the lines under the nodes (epoch, reads, waits) and the drop labels never overlap each other`, async () => {
    const t = PRESETS.find((p) => p.file === `${id}.scenario`);
    const note = t.notes.find((n) => n.text.includes(needle));
    assert.ok(note, `${id} has a note with ${needle}`);
    const { page, context, errors } = await openPage(browser, `#tour=${id}`);
    try {
      while ((await narration(page).textContent()) !== note.text) await button(page, 'Next note').click();
      await page.waitForFunction((ms) => document.querySelector('[data-sim-time-ms]').dataset.simTimeMs === String(ms), note.atMs);
      const boxes = await ringTexts(page);
      assert.ok(boxes.some((b) => b.text.startsWith('waits')), `some node waits at this note: ${JSON.stringify(boxes.map((b) => b.text))}`);
      // Two texts of different nodes (or a node's text and a drop label) must not share pixels.
      for (const [i, a] of boxes.entries()) {
        for (const b of boxes.slice(i + 1)) {
          if (a.node === b.node && a.node !== 'drop') continue;
          const overlap = a.x < b.r - 1 && b.x < a.r - 1 && a.y < b.b - 1 && b.y < a.b - 1;
          assert.ok(!overlap, `"${a.text}" (node ${a.node}) overlaps "${b.text}" (node ${b.node})`);
        }
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
