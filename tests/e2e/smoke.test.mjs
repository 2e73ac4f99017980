// Smoke test: the release bundle loads, the Yew app mounts and nothing errors.
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

test('playground loads with five monitors and no console errors', async () => {
  const { page, context, errors } = await openPage(browser);
  try {
    assert.match(await page.title(), /^Paxoscope/);
    assert.equal(await page.locator('h1').first().textContent(), 'Paxoscope');
    assert.equal(await page.locator('#cluster').count(), 1);
    const nodes = await page.locator('#cluster [data-node]').evaluateAll((els) =>
      els.map((e) => e.getAttribute('data-node')),
    );
    assert.deepEqual(nodes, ['0', '1', '2', '3', '4']);
    // The stylesheet is applied (not just shipped): the layout grid and the light background.
    const display = await page.locator('main.layout').evaluate((e) => getComputedStyle(e).display);
    assert.equal(display, 'grid');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(247, 247, 245)');
    await screenshot(page, 'smoke');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('dark colour scheme renders too', async () => {
  const { page, context, errors } = await openPage(browser, '', { colorScheme: 'dark' });
  try {
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(21, 23, 26)');
    await screenshot(page, 'smoke-dark');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
