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

/** What the CLI says of `text`: its exit status and output lines. */
function cli(text) {
  const dir = mkdtempSync(join(tmpdir(), 'history-'));
  const file = join(dir, 'h.edn');
  writeFileSync(file, text);
  const bin = process.env.PAXOSCOPE_CLI || join(process.cwd(), 'target', 'release', 'paxoscope');
  try {
    return { status: 0, lines: execFileSync(bin, ['check-history', file], { encoding: 'utf8' }).trim().split('\n') };
  } catch (e) {
    return { status: e.status, lines: String(e.stdout).trim().split('\n') };
  }
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
