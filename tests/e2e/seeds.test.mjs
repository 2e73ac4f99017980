// "New seed" draws from the browser's Web Crypto (getrandom's browser backend), not from
// Math.random: each press gives a different seed from 1 to 10^9, and each one is a
// crypto.getRandomValues call.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage } from './lib.mjs';
import { button } from './links.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('new seeds come from crypto.getRandomValues, fresh each time', async () => {
  const { page, context, errors } = await openPage(browser, '');
  try {
    await page.evaluate(() => {
      window.__seedDraws = 0;
      const proto = Object.getPrototypeOf(crypto);
      const real = proto.getRandomValues;
      proto.getRandomValues = function (buf) {
        window.__seedDraws += 1;
        return real.call(this, buf);
      };
      Math.random = () => {
        throw new Error('Math.random called');
      };
    });
    const seedText = () => page.locator('.run-id strong').first().textContent();
    const seeds = new Set([await seedText()]);
    for (let i = 0; i < 3; i++) {
      await button(page, 'New seed').click();
      const s = await seedText();
      assert.match(s, /^[1-9][0-9]{0,9}$/, `seed "${s}" is a plain number`);
      assert.ok(Number(s) >= 1 && Number(s) <= 1e9, `seed ${s} in 1..10^9`);
      seeds.add(s);
    }
    assert.equal(seeds.size, 4, `four different seeds: ${[...seeds].join(', ')}`);
    assert.ok((await page.evaluate(() => window.__seedDraws)) >= 3, 'one Web Crypto draw per new seed');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
