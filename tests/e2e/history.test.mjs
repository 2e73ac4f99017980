// "Check any history" (issue 22): a history pasted, dropped or picked in the page gets the same
// verdict and explanation as `paxoscope check-history`, and a timeline with one lane per
// process where the operations that cannot be placed are marked. The checker has its own page,
// history/ (the app built with the feature history-page: the checker and no protocol engine),
// which the playground's Export panel links to.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { mkdir } from 'node:fs/promises';
import { launchBrowser, openPage, SCREENSHOT_DIR } from './lib.mjs';
import { generateHistory } from '../../scripts/gen-history.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

// A stale read: p1's write of 2 completed before p3 read, yet p3 read 1.
const STALE = [
  '{:process 0, :type :invoke, :f :write, :value 1}',
  '{:process 0, :type :ok, :f :write, :value 1}',
  '{:process 1, :type :invoke, :f :write, :value 2}',
  '{:process 1, :type :ok, :f :write, :value 2}',
  '{:process 2, :type :invoke, :f :cas, :value [2 3]}',
  '{:process 2, :type :info, :f :cas, :value [2 3]}',
  '{:process 3, :type :invoke, :f :read, :value nil}',
  '{:process 3, :type :ok, :f :read, :value 1}',
].join('\n') + '\n';

/** What the CLI says of `text`: its exit status and output lines (and how long it took). */
function cli(text) {
  const dir = mkdtempSync(join(tmpdir(), 'history-'));
  const file = join(dir, 'h.edn');
  writeFileSync(file, text);
  const bin = process.env.PAXOSCOPE_CLI || join(process.cwd(), 'target', 'release', 'paxoscope');
  const started = Date.now();
  try {
    const out = execFileSync(bin, ['check-history', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
    return { status: 0, lines: out.trim().split('\n'), ms: Date.now() - started };
  } catch (e) {
    return { status: e.status, lines: String(e.stdout).trim().split('\n'), ms: Date.now() - started };
  }
}

/** Gives the page `text` as a picked file (the way a large history comes in). */
async function pick(page, text, name = 'history.edn') {
  const panel = page.locator('.history-check');
  await panel.locator('input[type=file]').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });
  return panel;
}

async function paste(page, text) {
  const panel = page.locator('.history-check');
  await panel.scrollIntoViewIfNeeded();
  await panel.getByRole('textbox', { name: 'History to check' }).fill(text);
  await panel.getByRole('button', { name: 'Check', exact: true }).click();
  return panel;
}

test('a pasted non-linearizable history gets the CLI verdict, its explanation and a timeline', async () => {
  const { page, context, errors } = await openPage(browser, 'history/', { waitFor: '.history-check' });
  try {
    const panel = await paste(page, STALE);
    const verdict = panel.locator('[data-history-verdict]');
    await verdict.waitFor();
    const want = cli(STALE);
    assert.equal(want.status, 1, `the CLI says not linearizable: ${want.lines.join(' / ')}`);
    assert.equal(await verdict.textContent(), want.lines.at(-1));
    // The explanation is the CLI's, line for line (between its counts and its verdict).
    const explained = (await panel.locator('.history-explanation').textContent()).split('\n');
    const cliExplained = want.lines.slice(want.lines.findIndex((l) => l.startsWith('The longest prefix')), -1);
    assert.deepEqual(explained, cliExplained);
    // One lane per process, every operation drawn, the stale read marked as the one that cannot be placed.
    assert.equal(await panel.locator('.history-timeline .lane-label').count(), 4);
    assert.equal(await panel.locator('.history-timeline .op').count(), 4);
    const blocked = panel.locator('.history-timeline .op.blocked');
    assert.ok((await blocked.count()) >= 1);
    assert.match(await blocked.first().locator('text').textContent(), /^read 1$/);
    const info = panel.locator('.history-timeline .op.info');
    assert.equal(await info.count(), 1, 'the :info cas is drawn');
    // ... open-ended: it may take effect at any point after its invocation, so it runs to the
    // end of the axis, past the read that completed last.
    const right = async (g) => g.locator('rect').evaluate((r) => r.x.baseVal.value + r.width.baseVal.value);
    assert.ok((await right(info)) > (await right(blocked.first())), 'the :info op reaches the end');
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await panel.screenshot({ path: join(SCREENSHOT_DIR, 'history-check-stale-read.png') });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a linearizable history says so; a broken one says what is wrong and where', async () => {
  const { page, context, errors } = await openPage(browser, 'history/', { waitFor: '.history-check' });
  try {
    const fine = STALE.replace(':ok, :f :read, :value 1}', ':ok, :f :read, :value 2}');
    assert.equal(cli(fine).status, 0);
    let panel = await paste(page, fine);
    await panel.locator('[data-history-verdict="linearizable"]').waitFor();

    const broken = STALE.replace('{:process 3, :type :ok', '{:process 3, :type :okk');
    const cliSays = cli(broken);
    assert.equal(cliSays.status, 2);
    panel = await paste(page, broken);
    const error = panel.locator('[data-history-error]');
    await error.waitFor();
    assert.match(await error.textContent(), /^line 8, column \d+: /);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the playground links to the history checker, which opens on its own page', async () => {
  const { page, context, errors } = await openPage(browser, '');
  try {
    assert.equal(await page.locator('.history-check').count(), 0, 'the playground does not carry the checker');
    const link = page.locator('.panel.export').getByRole('link', { name: 'Check any history' });
    const href = await link.evaluate((a) => a.href);
    assert.equal(new URL(href).pathname, new URL('history/', page.url()).pathname);
    await page.goto(href);
    await page.waitForSelector('.history-check');
    assert.match(await page.title(), /check any history/);
    assert.equal(await page.locator('[data-node]').count(), 0, 'the checker page runs no protocol');
    await page.getByRole('button', { name: 'Try an example' }).click();
    await page.locator('[data-history-verdict]').waitFor();
    const back = page.getByRole('link', { name: 'Open the playground' });
    assert.equal(new URL(await back.evaluate((a) => a.href)).pathname, new URL('../', page.url()).pathname);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a generated 10,000-operation history gets the CLI verdict and explanation in the page', async () => {
  const { page, context, errors } = await openPage(browser, 'history/', { waitFor: '.history-check' });
  try {
    // Linearizable by construction (a sequential register behind 10 concurrent clients, 2% of
    // the writes lost as :info), then the same with a stale read three quarters of the way.
    for (const [options, name] of [[{ infoPercent: 2 }, 'linearizable'], [{ stale: true }, 'stale read']]) {
      const text = generateHistory(10000, options);
      const want = cli(text);
      assert.equal(want.status, options.stale ? 1 : 0, `the CLI on the ${name} history: ${want.lines.slice(0, 3).join(' / ')}`);
      await page.reload();
      await page.waitForSelector('.history-check');
      const started = Date.now();
      const panel = await pick(page, text);
      // Too long to show in the box: the page says it holds the file.
      assert.match(await panel.locator('[data-history-file]').textContent(), new RegExp(`^A file of ${text.length} bytes is loaded`));
      const verdict = panel.locator('[data-history-verdict]');
      await verdict.waitFor({ timeout: 120_000 });
      const pageMs = Date.now() - started;
      assert.equal(await verdict.textContent(), want.lines.at(-1));
      const counts = await panel.locator('[data-history-counts]').textContent();
      assert.match(counts, /^10000 operations by \d+ processes/);
      console.log(`# ${name}, 10,000 operations: page ${pageMs} ms from pick to verdict (${counts.split('; ').at(-1)}); ` +
        `CLI ${want.ms} ms (${want.lines[1]})`);
      // Only part of the timeline is drawn, and the caption says which part.
      assert.match(await panel.locator('[data-history-drawn]').textContent(), /^The timeline shows operations \d+ to \d+ of 10000/);
      assert.equal(await panel.locator('.history-timeline .op').count(), 60);
      if (options.stale) {
        const explained = (await panel.locator('.history-explanation').textContent()).split('\n');
        const cliExplained = want.lines.slice(want.lines.findIndex((l) => l.startsWith('The longest prefix')), -1);
        assert.deepEqual(explained, cliExplained);
        const blocked = panel.locator('.history-timeline .op.blocked');
        assert.ok((await blocked.count()) >= 1, 'the read that cannot be placed is drawn');
        assert.ok(
          (await blocked.locator('text').allTextContents()).includes('read 1000'),
          'the stale read (it returned 1000 after 1001 was written) is among those marked',
        );
        await mkdir(SCREENSHOT_DIR, { recursive: true });
        await panel.screenshot({ path: join(SCREENSHOT_DIR, 'history-check-10k-stale.png') });
      }
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('Cancel stops a heavy check at once and the page stays usable; a new history cancels too', async () => {
  const { page, context, errors } = await openPage(browser, 'history/', { waitFor: '.history-check' });
  try {
    // A stale read among lost writes: the search tries orders of the lost writes until its
    // budget runs out (the CLI says "undecided" after 2,000,000 states, many seconds).
    const heavy = generateHistory(10000, { stale: true, infoPercent: 2 });
    let panel = await pick(page, heavy);
    const progress = panel.locator('[data-history-progress]');
    await progress.filter({ hasText: /states explored/ }).waitFor({ timeout: 60_000 });
    // The page answers while it checks: the progress line moves.
    const first = await progress.textContent();
    await page.waitForFunction(
      (before) => document.querySelector('[data-history-progress]')?.textContent !== before,
      first,
      { timeout: 60_000 },
    );
    assert.match(await progress.textContent(), /^Checking: \d+ of 10000 operations placed, \d+ states explored/);
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await panel.screenshot({ path: join(SCREENSHOT_DIR, 'history-check-heavy-progress.png') });
    await panel.getByRole('button', { name: 'Cancel' }).click();
    const cancelled = panel.locator('[data-history-cancelled]');
    assert.match(await cancelled.textContent(), /^cancelled after \d+ of 10000 operations placed, \d+ states explored/);
    assert.equal(await progress.count(), 0);
    assert.equal(await panel.getByRole('button', { name: 'Cancel' }).count(), 0, 'nothing left to cancel');
    // A small history checks as usual.
    panel = await paste(page, STALE);
    await panel.locator('[data-history-verdict="not linearizable"]').waitFor();
    assert.equal(await panel.locator('.history-timeline .op').count(), 4);

    // A new file while the heavy check runs replaces it: its verdict comes, not the heavy one's.
    await pick(page, heavy);
    await progress.filter({ hasText: /states explored/ }).waitFor({ timeout: 60_000 });
    const fine = STALE.replace(':ok, :f :read, :value 1}', ':ok, :f :read, :value 2}');
    await pick(page, fine, 'fine.edn');
    await panel.locator('[data-history-verdict="linearizable"]').waitFor({ timeout: 60_000 });
    assert.match(await panel.locator('[data-history-counts]').textContent(), /^4 operations/);
    assert.equal(await progress.count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

/** Records the page's long tasks (over 50 ms) from now on, to PRINT figures, never to assert. */
async function watchLongTasks(page) {
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask' });
  });
}

test('a 2 MiB history is read in slices: "reading: line L of M" shows and Cancel stops the read', async () => {
  const { page, context, errors } = await openPage(browser, 'history/', { waitFor: '.history-check' });
  try {
    // 20,000 operations of a Jepsen log, 1.9 MB: linearizable by construction.
    const text = generateHistory(20000, { infoPercent: 2 });
    assert.ok(text.length <= 2 * 1024 * 1024, `${text.length} bytes: within the page's bound`);
    const lines = text.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '').length;
    await watchLongTasks(page);
    // Cancel is clicked from the page itself in the task that draws a reading line past line 1:
    // the reading has run a slice and is not over (its last slice draws "Checking"), so the
    // click lands mid-read however fast the machine.
    const clicked = page.evaluate(() => new Promise((resolve) => {
      const watch = new MutationObserver(() => {
        const shown = document.querySelector('[data-history-reading]')?.textContent ?? '';
        if (!/^Reading: line ([2-9]|\d\d+) /.test(shown)) return;
        watch.disconnect();
        [...document.querySelectorAll('.history-check button')].find((b) => b.textContent === 'Cancel').click();
        resolve(shown);
      });
      watch.observe(document.body, { subtree: true, childList: true, characterData: true });
    }));
    let panel = await pick(page, text);
    const shown = await clicked;
    assert.match(shown, new RegExp(`^Reading: line \\d+ of ${lines}…$`));
    const cancelled = panel.locator('[data-history-cancelled]');
    assert.match(await cancelled.textContent(), new RegExp(`^cancelled after reading: line \\d+ of ${lines}$`));
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await panel.screenshot({ path: join(SCREENSHOT_DIR, 'history-check-read-cancelled.png') });
    assert.equal(await panel.locator('[data-history-progress]').count(), 0, 'reading stopped');
    assert.equal(await panel.getByRole('button', { name: 'Cancel' }).count(), 0, 'nothing left to cancel');

    // Read to the end and checked: the figures of the longest tasks are printed, the reading's
    // from the first "Reading" line (before it, the browser takes in the file), the search's
    // from the first "Checking" line.
    await page.evaluate(() => {
      window.__longTasks = [];
      window.__marks = {};
      new MutationObserver(() => {
        const p = document.querySelector('[data-history-progress]')?.textContent ?? '';
        const phase = p.startsWith('Reading') ? 'reading' : p.startsWith('Checking') ? 'checking' : null;
        if (phase && !(phase in window.__marks)) window.__marks[phase] = performance.now();
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const started = await page.evaluate(() => performance.now());
    panel = await pick(page, text);
    await panel.locator('[data-history-verdict="linearizable"]').waitFor({ timeout: 120_000 });
    const { tasks, marks } = await page.evaluate(() => ({ tasks: window.__longTasks, marks: window.__marks }));
    const longest = (from, to) => Math.round(Math.max(0, ...tasks.filter((t) => t.start >= from && t.start < to).map((t) => t.ms)));
    console.log(`# 2 MiB history (${text.length} bytes, ${lines} lines): longest task taking in the file ` +
      `${longest(started, marks.reading)} ms, while reading ${longest(marks.reading, marks.checking)} ms, ` +
      `while checking ${longest(marks.checking, Infinity)} ms; ${(await panel.locator('[data-history-counts]').textContent()).split('; ').at(-1)}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('an undecided history gets the CLI verdict and explanation line for line', async () => {
  const { page, context, errors } = await openPage(browser, 'history/', { waitFor: '.history-check' });
  try {
    // A stale read among lost writes: the 2,000,000-state budget runs out first (the CLI takes
    // 10-30 s: this test is slow by nature).
    const text = generateHistory(1000, { stale: true, infoPercent: 5 });
    const want = cli(text);
    assert.equal(want.status, 3, `the CLI: ${want.lines.slice(-2).join(' / ')}`);
    const panel = await pick(page, text);
    const verdict = panel.locator('[data-history-verdict]');
    await verdict.waitFor({ timeout: 300_000 });
    assert.equal(await verdict.textContent(), 'undecided');
    assert.equal(await verdict.textContent(), want.lines.at(-1));
    const explained = (await panel.locator('.history-explanation').textContent()).split('\n');
    assert.deepEqual(explained, want.lines.slice(-2, -1));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
