// Challenge mode ("Can you make it fail?"): the header button and the #challenge link open
// level 1, whose banner says safety holds and counts the fault budget down; a fault past the
// budget and a skew beyond Ceph's allowance are refused at the control with the reason; level 1
// refuses handicaps. Level 2 takes a Break the protocol switch as a handicap, the checker's
// violation shows as a win with its rule and time, the attempt is kept as a link, and the link
// replays the same violation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot } from './lib.mjs';
import { button, fullSpeed } from './links.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const banner = (page) => page.locator('.challenge-banner');
const left = async (page) => Number(await page.locator('[data-challenge-left]').getAttribute('data-challenge-left'));
const verdict = (page) => page.locator('[data-challenge-verdict]').textContent();

/** Selects monitor `r` by clicking its circle on the ring. */
async function select(page, r) {
  await page.locator(`#cluster [data-node="${r}"] circle`).first().click();
}

/** The ring's box and the banner's box do not overlap. */
async function bannerClearOfRing(page) {
  const ring = await page.locator('#cluster').boundingBox();
  const b = await banner(page).boundingBox();
  assert.ok(ring && b, 'ring and banner on screen');
  const overlap = b.y < ring.y + ring.height && ring.y < b.y + b.height && b.x < ring.x + ring.width && ring.x < b.x + b.width;
  assert.ok(!overlap, `banner ${JSON.stringify(b)} covers the ring ${JSON.stringify(ring)}`);
}

test('level 1: safety holds, the budget counts down and refuses past it', async () => {
  const { page, context, errors } = await openPage(browser, '');
  try {
    await page.locator('[data-challenge-start]').click();
    await page.waitForSelector('.challenge-banner[data-challenge="1"]');
    assert.match(await verdict(page), /^Safety holds: 0 of \d+ rules broken$/);
    assert.match(await page.locator('[data-challenge-outcome]').textContent(), /Paxos is designed so that you cannot/);
    const total = await left(page);
    assert.ok(total > 0);
    assert.match(await page.locator('.challenge-line').textContent(), new RegExp(`${total} of ${total} faults left`));
    await button(page, 'Pause').click().catch(() => {});
    // Crash until the crash budget is spent: each crash costs one, then the next is refused.
    let crashes = 0;
    for (let r = 0; r < 5; r++) {
      await select(page, r);
      const before = await left(page);
      await page.getByRole('button', { name: 'Crash', exact: true }).click();
      await page.waitForTimeout(100);
      const after = await left(page);
      if (after === before) {
        const notice = await page.locator('.notice, [role="alert"], .error').allTextContents();
        assert.ok(notice.join(' ').includes('budget is spent for crashes'), `refused with the reason: ${notice}`);
        break;
      }
      assert.equal(after, before - 1, 'a crash costs one fault');
      crashes += 1;
    }
    assert.ok(crashes >= 1 && crashes < 5, `the crash budget ends (${crashes} crashes)`);
    assert.match(await page.locator('.challenge-line').textContent(), new RegExp(`${total - crashes} of ${total} faults left`));
    // A skew beyond Ceph's allowance is refused under the field; one within it is taken.
    await select(page, 4);
    const beforeSkew = await left(page);
    await page.getByLabel('Clock skew (ms)').fill('60');
    await button(page, 'Set skew').click();
    await page.waitForSelector('#skew-error');
    assert.match(await page.locator('#skew-error').textContent(), /mon_clock_drift_allowed/);
    assert.equal(await left(page), beforeSkew, 'a refused skew costs nothing');
    await page.getByLabel('Clock skew (ms)').fill('-50');
    await button(page, 'Set skew').click();
    await page.waitForFunction((b) => Number(document.querySelector('[data-challenge-left]').dataset.challengeLeft) === b - 1, beforeSkew);
    // Level 1 refuses a handicap, with the reason.
    await page.locator('#switch-commit-on-majority').click();
    await page.waitForTimeout(200);
    assert.equal(await page.locator('#switch-commit-on-majority').isChecked(), false, 'the switch stays off');
    assert.equal(await page.locator('.challenge-banner').getAttribute('data-challenge'), '1');
    assert.ok((await page.locator('body').textContent()).includes('handicaps of level 2'), 'level 1 says why');
    // Play on: safety still holds.
    await fullSpeed(page);
    await button(page, 'Play').click();
    await page.waitForTimeout(1500);
    assert.match(await verdict(page), /^Safety holds/);
    await bannerClearOfRing(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'challenge-level1', { fullPage: false });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('level 2: a handicap wins with rule and time, the attempt is kept and its link replays it', async () => {
  const { page, context, errors } = await openPage(browser, '#challenge=2');
  try {
    await page.waitForSelector('.challenge-banner[data-challenge="2"]');
    assert.match(await verdict(page), /^Safety holds/);
    await page.locator('#switch-commit-on-majority').check();
    await page.waitForSelector('.challenge-banner[data-safety="broken"]', { timeout: 30_000 });
    const text = await verdict(page);
    const m = /^Safety broken: (\S+) at ([\d.]+ ?s)$/.exec(text);
    assert.ok(m, `the banner names the rule and the time: ${text}`);
    assert.equal(m[1], 'commit-needs-every-accept');
    assert.match(await page.locator('[data-challenge-outcome]').textContent(), /You win: 0 faults and 1 handicaps/);
    const attempt = page.locator('[data-attempt]').first();
    await attempt.waitFor();
    assert.ok((await attempt.textContent()).includes(m[1]), 'the kept attempt names the rule');
    await bannerClearOfRing(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'challenge-level2-win', { fullPage: false });
    const href = await attempt.getAttribute('href');
    // The link replays the same violation in a fresh page.
    const again = await openPage(browser, href.slice(href.indexOf('#')));
    try {
      await again.page.waitForSelector('.challenge-banner[data-safety="broken"]');
      assert.equal(await verdict(again.page), text);
      await again.page.setViewportSize({ width: 700, height: 450 });
      assert.deepEqual(again.errors, []);
    } finally {
      await again.context.close();
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the embed (700x450) keeps the banner clear of the ring', async () => {
  const { page, context, errors } = await openPage(browser, '?embed=1#challenge', { viewport: { width: 700, height: 450 } });
  try {
    await page.waitForSelector('.challenge-banner.compact');
    assert.match(await verdict(page), /^Safety holds/);
    await bannerClearOfRing(page);
    await screenshot(page, 'challenge-embed', { fullPage: false });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
