// Embed mode (?embed=1): the compact layout fits a 700x450 iframe, its options work, its
// "Open in Paxoscope" link reaches the same moment in the full playground, and the embed
// example page loads every frame without console errors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot } from './lib.mjs';
import { button, fragment, monitors, simTime, traceHash } from './links.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const SMALL = { width: 700, height: 450 };

/** Everything of the embed lies inside the viewport, and the drawings have real size. */
async function layoutProblems(frameOrPage) {
  return frameOrPage.evaluate(() => {
    const problems = [];
    const w = window.innerWidth;
    const h = window.innerHeight;
    for (const el of document.querySelectorAll('.embed > *:not(.sr-only):not(svg), .embed-open, .embed .controls .btn')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.bottom > h + 0.5 || r.right > w + 0.5 || r.left < -0.5 || r.top < -0.5)
        problems.push(`${el.className || el.tagName} at ${Math.round(r.left)},${Math.round(r.top)}-${Math.round(r.right)},${Math.round(r.bottom)} outside ${w}x${h}`);
    }
    const cluster = document.getElementById('cluster').getBoundingClientRect();
    if (cluster.height < 150) problems.push(`cluster only ${Math.round(cluster.height)} px high`);
    const diagram = document.querySelector('.embed-diagram svg');
    if (diagram && diagram.getBoundingClientRect().height < 100) problems.push('diagram too small');
    return problems;
  });
}

test('the embed fits 700x450 and its link opens the same moment in the full playground', async () => {
  const { page, context, errors } = await openPage(browser, '?embed=1#tour=mid-update', { viewport: SMALL });
  try {
    assert.deepEqual(await layoutProblems(page), []);
    for (const name of ['Play', 'Step', 'Step back']) await button(page, name).waitFor();
    await page.getByRole('slider', { name: 'Time' }).waitFor();
    await page.locator('[data-narration]').waitFor();
    await page.locator('.embed-diagram svg').waitFor();
    // Without autoplay the embed waits for the reader.
    const t0 = await simTime(page);
    await page.waitForTimeout(300);
    assert.equal(await simTime(page), t0);
    // Play a little (the tour's view plays at 0.1x) and pause: a moment between the notes.
    await button(page, 'Play').click();
    await page.waitForFunction((t) => Number(document.querySelector('[data-sim-time-ms]').dataset.simTimeMs) > t + 20, t0);
    await button(page, 'Pause').click();
    await screenshot(page, 'embed-700x450', { fullPage: false });

    const link = page.getByRole('link', { name: 'Open in Paxoscope' });
    assert.equal(await link.getAttribute('target'), '_blank');
    const href = await link.getAttribute('href');
    assert.ok(!href.includes('embed='), href);
    assert.match(href, /#paxoscope\+scenario\+v1;/);
    const seen = { hash: await traceHash(page), mons: await monitors(page), t: await simTime(page) };
    const [full] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await full.waitForSelector('#cluster [data-node]');
    assert.equal(await full.locator('.embed').count(), 0, 'the full playground, not the embed');
    assert.equal(await simTime(full), seen.t);
    assert.equal(await traceHash(full), seen.hash);
    assert.deepEqual(await monitors(full), seen.mons);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('embed options: autoplay=1 plays, hide= leaves parts out', async () => {
  const frag = fragment(['paxoscope scenario v1', 'seed 3', 'view t 0 node 1 speed 10 paused', 'at 0s note "hello"']);
  const { page, context, errors } = await openPage(browser, `?embed=1&autoplay=1&hide=diagram,narration,controls${frag}`, { viewport: SMALL });
  try {
    assert.equal(await page.locator('.embed-diagram').count(), 0);
    assert.equal(await page.locator('[data-narration]').count(), 0);
    assert.equal(await button(page, 'Play').count() + (await button(page, 'Pause').count()), 0);
    // Playing: the monitors leave probing without anyone pressing Play.
    await page.waitForFunction(() => [...document.querySelectorAll('#cluster [data-node]')].some((n) => n.dataset.monitorState === 'leader'));
    assert.deepEqual(await layoutProblems(page), []);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the embed example page loads every frame, each fitting 700x450, without console errors', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, context, errors } = await openPage(browser, 'embed-example.html', { waitFor: 'iframe', colorScheme, viewport: { width: 900, height: 900 } });
    try {
      const frames = page.locator('iframe');
      const count = await frames.count();
      assert.ok(count >= 3, `${count} iframes`);
      for (let i = 0; i < count; i++) {
        const el = frames.nth(i);
        await el.scrollIntoViewIfNeeded();
        const box = await el.boundingBox();
        assert.ok(box.width <= 702 && box.height <= 452, JSON.stringify(box));
        const frame = await (await el.elementHandle()).contentFrame();
        await frame.waitForSelector('#cluster [data-node]');
        assert.equal(await frame.locator('[data-url-error]').count(), 0, `frame ${i} opened its link`);
        assert.deepEqual(await layoutProblems(frame), [], `frame ${i}`);
      }
      await page.evaluate(() => window.scrollTo(0, 0));
      if (colorScheme === 'light') await screenshot(page, 'embed-example');
      else await screenshot(page, 'embed-example-dark', { fullPage: false });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
});

test("the embed's state diagram is drawn large enough to read, the monitor's own half of it", async () => {
  for (const node of [0, 2]) {
    const frag = fragment(['paxoscope scenario v1', 'set latency_ms 100', `view t 8s node ${node} speed 1 paused`]);
    const { page, context, errors } = await openPage(browser, `?embed=1${frag}`, { viewport: SMALL });
    try {
      assert.deepEqual(await layoutProblems(page), []);
      const seen = await page.evaluate(() => {
        const svg = document.querySelector('.embed-diagram svg').getBoundingClientRect();
        const current = document.querySelector('.embed-diagram [data-current="true"]');
        const box = current.getBoundingClientRect();
        const label = current.querySelector('text').getBoundingClientRect();
        return {
          state: current.dataset.state,
          labelPx: label.height,
          inside: box.left >= svg.left && box.right <= svg.right && box.top >= svg.top && box.bottom <= svg.bottom,
        };
      });
      assert.equal(seen.state, node === 0 ? 'leader-active' : 'peon-active');
      assert.ok(seen.inside, `the current state's box is in view: ${JSON.stringify(seen)}`);
      assert.ok(seen.labelPx >= 10, `its label is ${seen.labelPx.toFixed(1)} px high`);
      await screenshot(page, `embed-diagram-mon${node}`, { fullPage: false });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
});
