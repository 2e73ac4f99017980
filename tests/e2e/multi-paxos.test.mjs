// Multi-Paxos in the playground: seed 001's hole tour opens at the family page (the shipped page
// carries Ceph only), and the Logs panel shows what the tour's notes say: node.1 and node.2 hold
// holes at 135-137 after the old leader crashed, the new leader fills them with no-ops, and at
// the end every replica applied the same slots.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot, pageErrors } from './lib.mjs';


let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});


/** Per lane: its node, and the slot numbers (from the cell titles) in each state. */
async function lanes(page) {
  return page.locator('.logs .lane[data-lane]').evaluateAll((els) =>
    els.map((e) => {
      const cells = [...e.querySelectorAll('.cells .c')].map((c) => c.getAttribute('title') ?? '');
      const slots = (re) => cells.filter((t) => re.test(t)).map((t) => Number(t.split(':')[0]));
      return {
        node: e.dataset.lane,
        applied: Number(e.dataset.applied),
        holes: [...e.querySelectorAll('.cells .c.hole')].map((c) => Number(c.getAttribute('title').split(':')[0])),
        noops: slots(/noop/),
      };
    }),
  );
}

/** Clicks "next" until the tour's note contains `text`. */
async function nextNoteUntil(page, text) {
  for (let i = 0; i < 30; i++) {
    if ((await page.locator('[data-narration]').textContent()).includes(text)) return;
    await page.getByRole('button', { name: 'Next note' }).click();
    await page.waitForTimeout(150);
  }
  assert.fail(`no note says ${text}`);
}

/** The lanes once `ok(lanes)` holds (the panel follows the playhead a few times a second). */
async function lanesWhen(page, ok, what) {
  let last;
  for (let i = 0; i < 60; i++) {
    last = await lanes(page);
    if (last.length && ok(last)) return last;
    await page.waitForTimeout(100);
  }
  assert.fail(`${what}: ${JSON.stringify(last)}`);
}

test("seed 001's hole tour: holes at 135-137, no-ops fill them, every replica applies the same log", async () => {
  const { page, context, errors } = await openPage(browser, '#tour=mp-hole');
  try {
    await page.waitForURL(/\/family\/#/);
    await page.waitForSelector('.logs .lane[data-lane]');
    // Before the new leader's phase 1: node.1 and node.2 hold 138-139, nothing at 135-137.
    await nextNoteUntil(page, 'No heartbeat from node.0');
    const byNode = (ls, n) => ls.find((l) => l.node === n);
    const holes = await lanesWhen(
      page,
      (ls) => ['1', '2'].every((n) => byNode(ls, n)?.holes.join() === '135,136,137'),
      'node.1 and node.2 show holes at 135-137',
    );
    assert.deepEqual(byNode(holes, '1').noops, [], 'no no-op yet');
    await nextNoteUntil(page, 'fills 135, 136 and 137');
    await lanesWhen(
      page,
      (ls) => ['135', '136', '137'].every((s) => byNode(ls, '1')?.noops.includes(Number(s))),
      "the new leader's lane shows no-ops at 135-137",
    );
    await screenshot(page, 'multi-paxos-hole-noops');
    await nextNoteUntil(page, 'all three replicas applied the same 142 slots');
    const end = await lanesWhen(
      page,
      (ls) => ls.length === 3 && ls.every((l) => l.applied === 142),
      'every replica applied 142 slots',
    );
    assert.equal(end.length, 3);
    assert.equal(await page.locator('[data-invariants]').getAttribute('data-invariants'), 'ok');
    assert.deepEqual(pageErrors(errors), []);
  } finally {
    await context.close();
  }
});
