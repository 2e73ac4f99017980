// Narration from the events (issue 20): free play explains the latest events in the
// protocol's own words, follows the playhead when seeking back, and can be switched off.
// The sentences' numbers come from the scenario (who crashed, which request, which value).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot } from './lib.mjs';
import { fragment, presets, timeMs } from './links.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const said = (page) => page.locator('[data-event-narration] .said li').allTextContents();

test('Ceph: the crash is narrated after it happens and not after seeking back before it', async () => {
  const lines = ['paxoscope scenario v1', 'seed 1', 'end 30s', 'view t 12s node 0 speed 1 paused',
    'at 5s put 2 color blue', 'at 10s crash 0'];
  const crashMs = timeMs(lines.at(-1).split(' ')[1]);
  const { page, context, errors } = await openPage(browser, fragment(lines));
  try {
    const panel = page.locator('[data-event-narration]');
    await panel.waitFor();
    assert.equal(await panel.getAttribute('data-event-narration'), 'on');
    const crashed = 'mon.0 crashed: it loses its memory, only its store survives';
    // Just after the crash, it is among the latest sentences (nothing else happens for a while).
    await page.getByLabel('Time', { exact: true }).fill(String(crashMs + 1));
    await page.waitForFunction((s) => [...document.querySelectorAll('[data-event-narration] li')].some((li) => li.textContent.includes(s)), crashed);
    await screenshot(page, 'narration-ceph', { fullPage: false });
    // Seeking back before it: gone; the write's answer is said instead.
    await page.getByLabel('Time', { exact: true }).fill(String(crashMs - 1000));
    await page.waitForFunction((s) => ![...document.querySelectorAll('[data-event-narration] li')].some((li) => li.textContent.includes(s)), crashed);
    assert.ok((await said(page)).some((t) => /mon\.2 answers request 1: written v\d+/.test(t)), (await said(page)).join('\n'));
    // The off switch.
    await panel.getByRole('button').click();
    assert.equal(await panel.getAttribute('data-event-narration'), 'off');
    assert.equal((await said(page)).length, 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('Basic Paxos (family page): a refused proposal is narrated with both proposal numbers', async () => {
  // The tour's note at 737 ms: node.0's proposal 1.0 is refused, an acceptor promised 1.1.
  const tour = presets().find((p) => p.file === 'bp-dueling.scenario');
  const note = tour.notes.find((n) => /node\.0 is refused/.test(n.text));
  const text = tour.text.replace(/^view .*$/m, 'view t 900ms node 0 speed 1 paused').trim();
  const refused = /node\.0: proposer: gives the round up: an acceptor promised 1\.1, above 1\.0/;
  const { page, context, errors } = await openPage(browser, `family/${fragment(text)}`);
  try {
    await page.locator('[data-event-narration]').waitFor();
    await page.getByLabel('Time', { exact: true }).fill(String(note.atMs + 3));
    await page.waitForFunction((re) => [...document.querySelectorAll('[data-event-narration] li')].some((li) => new RegExp(re).test(li.textContent)), refused.source);
    await screenshot(page, 'narration-basic-paxos', { fullPage: false });
    // Seeking back before it: not said yet.
    await page.getByLabel('Time', { exact: true }).fill(String(note.atMs - 50));
    await page.waitForFunction((re) => ![...document.querySelectorAll('[data-event-narration] li')].some((li) => new RegExp(re).test(li.textContent)), refused.source);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

// Where a reader who never opens a tour reads it: under the ring, on the first screen, at the
// sizes people use (and in the embed's frame, compact: the latest sentence), covering nothing.
const PLACES = [
  { width: 1280, height: 800, path: '', shown: 3 },
  { width: 800, height: 600, path: '', shown: 3 },
  { width: 390, height: 844, path: '', shown: 2 },
  { width: 700, height: 450, path: '?embed=1', shown: 1 },
];
const OTHERS = ['#cluster', '.flight-list', '.legend', '.area-controls', '.narration', '.diagram-panel',
  '.panel.faults', '.panel.client', '.embed-diagram', '.embed .controls', '.embed-top'];

for (const { width, height, path, shown } of PLACES) {
  test(`${width}x${height}${path ? ' embed' : ''}: the narration is on screen with the ring, covering nothing`, async () => {
    const viewport = { width, height };
    const { page, context, errors } = await openPage(browser, path, { viewport });
    try {
      const said = page.locator('[data-event-narration] .said');
      // Free play autoplays: wait until the election has been told.
      await page.waitForFunction((n) => [...document.querySelectorAll('[data-event-narration] .said li')]
        .filter((li) => li.offsetHeight > 0).length === n, shown, { timeout: 20_000 });
      const box = await said.boundingBox();
      assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height,
        `inside the ${width}x${height} viewport: ${JSON.stringify(box)}`);
      const ring = await page.locator('#cluster').boundingBox();
      assert.ok(ring.y >= 0 && ring.y + ring.height <= box.y, `the ring ${JSON.stringify(ring)} is above it, whole`);
      // No other part's box meets it, and what is drawn at its corners and centre is its own.
      const hits = await page.evaluate((others) => {
        const n = document.querySelector('[data-event-narration]');
        const b = n.getBoundingClientRect();
        const meets = (r) => r.width > 0 && r.height > 0 && r.left < b.right && b.left < r.right && r.top < b.bottom && b.top < r.bottom;
        const overlapping = others.flatMap((s) => [...document.querySelectorAll(s)])
          .filter((e) => !e.contains(n) && !n.contains(e) && meets(e.getBoundingClientRect()))
          .map((e) => e.className.baseVal ?? e.className);
        const points = [[b.left + 8, b.top + 8], [b.right - 8, b.top + 8], [b.left + 8, b.bottom - 8], [b.right - 8, b.bottom - 8], [(b.left + b.right) / 2, (b.top + b.bottom) / 2]];
        const covered = points.filter(([x, y]) => !n.contains(document.elementFromPoint(x, y))).map(String);
        return { overlapping, covered };
      }, OTHERS);
      assert.deepEqual(hits, { overlapping: [], covered: [] });
      // The latest sentence is the one set apart.
      assert.equal(await page.locator('[data-event-narration] .said li.latest').count(), 1);
      await screenshot(page, `narration-placed-${width}x${height}`, { fullPage: false });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
