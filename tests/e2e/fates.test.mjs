// Honest fates (issue 21): a client request's row follows what became of its write. The
// leader is cut off just after its BEGIN reached the peons; out of quorum for 2 × mon_lease it
// closes its client sessions and the client is told to retry, yet the new quorum committed the
// value it found accepted. The row says both, with the version, from the run's committed state.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot } from './lib.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

function link(viewMs) {
  const text = [
    'paxoscope scenario v1',
    'seed 1',
    'end 60s',
    `view t ${viewMs}ms node 0 speed 1.0 paused`,
    'at 5s put 0 k v',
    'at 5025ms isolate 0',
    'at 50s heal',
  ].join('\n');
  return '#' + text.replaceAll(' ', '+').replaceAll('\n', ';');
}

test('a write told to retry that later commits says so, with its version', async () => {
  // Before the session trim: the write waits at mon.0.
  let { page, context, errors } = await openPage(browser, link(20_000));
  const row = page.locator('[data-req="1"]');
  await row.waitFor();
  assert.match(await row.getAttribute('data-fate'), /^(pending|forwarded)$/);
  await context.close();
  assert.deepEqual(errors, []);

  // After it: told to retry, and committed by the new quorum.
  ({ page, context, errors } = await openPage(browser, link(30_000)));
  const r = page.locator('[data-req="1"]');
  await r.waitFor();
  assert.equal(await r.getAttribute('data-fate'), 'retry-committed');
  const text = await r.textContent();
  assert.match(text, /retry: mon\.0 was out of quorum for 10 s/);
  assert.match(text, /then committed at v\d+/);
  await r.scrollIntoViewIfNeeded();
  const path = await screenshot(page, 'fate-retry-committed', { fullPage: false });
  await page.locator('.panel.client').screenshot({ path: path.replace('.png', '-panel.png') });
  await context.close();
  assert.deepEqual(errors, []);
});
