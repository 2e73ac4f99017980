// `#src=<url>`: a scenario fetched from another site that allows it (CORS). A site of our own
// on another port (another origin) serves good, unreadable, oversized, CORS-less and silent
// answers; each bad one gets a message saying what was wrong while the default scenario runs.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, pageErrors } from './lib.mjs';

const GOOD = [
  'paxoscope scenario v1',
  'name "Hosted elsewhere"',
  'seed 7',
  'end 20s',
  'at 1s put 1 k from-afar',
].join('\n');
const MULTI = ['paxoscope scenario v1', 'protocol multi-paxos', 'name "Hosted Multi-Paxos"', 'seed 3', 'end 5s'].join('\n');
const BROKEN = ['paxoscope scenario v1', 'sed 7', 'end 20s'].join('\n');

let browser;
let site;
let siteUrl;
const cors = { 'access-control-allow-origin': '*', 'content-type': 'text/plain; charset=utf-8' };
before(async () => {
  browser = await launchBrowser();
  site = createServer((req, res) => {
    if (req.url === '/good.scenario') return res.writeHead(200, cors).end(GOOD);
    if (req.url === '/multi.scenario') return res.writeHead(200, cors).end(MULTI);
    if (req.url === '/broken.scenario') return res.writeHead(200, cors).end(BROKEN);
    if (req.url === '/private.scenario') return res.writeHead(200, { 'content-type': 'text/plain' }).end(GOOD);
    if (req.url === '/huge.scenario') {
      // Streamed without a length: the page must cut it off itself.
      res.writeHead(200, cors);
      const line = `at 1s note "${'x'.repeat(1000)}"\n`;
      let sent = 0;
      const more = () => {
        while (sent < 2000) {
          sent += 1;
          if (!res.write(line)) return res.once('drain', more);
        }
        res.end();
      };
      return more();
    }
    if (req.url === '/silent.scenario') return; // never answers
    res.writeHead(404, cors).end('no such file');
  });
  await new Promise((ok) => site.listen(0, '127.0.0.1', ok));
  siteUrl = `http://127.0.0.1:${site.address().port}`;
});
after(async () => {
  await browser?.close();
  site?.closeAllConnections();
  site?.close();
});

/** Opens `#src=<file on the other site>` and returns the page once the run is there. */
async function openSrc(file, options = {}) {
  const url = encodeURIComponent(`${siteUrl}/${file}`);
  return openPage(browser, `#src=${url}`, { timeout: 30_000, ...options });
}

const alertText = (page) => page.locator('[data-url-error]').textContent();
// The browser reports the blocked or failed request itself; the page's own errors still count.
const expected = (e) => /requestfailed: http:\/\/127\.0\.0\.1:\d+\/|Access to fetch|Failed to load resource|http 404/.test(e);

test('a scenario another site serves with CORS opens, and the address becomes the full scenario', async () => {
  const { page, context, errors } = await openSrc('good.scenario');
  try {
    await page.waitForFunction(() => document.querySelector('.scenario-name')?.textContent === 'Hosted elsewhere');
    assert.equal(await page.locator('[data-url-error]').count(), 0);
    assert.equal(await page.locator('.run-id strong').first().textContent(), '7');
    await page.waitForFunction(() => location.hash.startsWith('#paxoscope'));
    assert.match(decodeURIComponent(await page.evaluate(() => location.hash)), /put.1.k.from-afar/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('another protocol\'s hosted scenario continues at the family page', async () => {
  const { page, context, errors } = await openSrc('multi.scenario', { waitFor: null });
  try {
    await page.waitForFunction(() => document.querySelector('.scenario-name')?.textContent === 'Hosted Multi-Paxos');
    assert.equal(await page.locator('[data-url-error]').count(), 0);
    assert.deepEqual(pageErrors(errors), []);
  } finally {
    await context.close();
  }
});

for (const [file, why] of [
  ['broken.scenario', /could not be opened: line 2, column 1: .*sed/],
  ['private.scenario', /could not be opened: the request failed: .*CORS/],
  ['huge.scenario', /could not be opened: it is larger than the 262144 bytes a scenario may have/],
  ['missing.scenario', /could not be opened: the site answered HTTP 404/],
]) {
  test(`${file}: the default scenario runs under a message saying what was wrong`, async () => {
    const { page, context, errors } = await openSrc(file);
    try {
      const text = await alertText(page);
      assert.ok(text.includes(`${siteUrl}/${file}`), `names the address: ${text}`);
      assert.match(text, why);
      assert.match(text, /The default scenario is running instead/);
      assert.ok((await page.locator('[data-node]').count()) >= 3, 'the default cluster is drawn');
      assert.deepEqual(errors.filter((e) => !expected(e)), []);
    } finally {
      await context.close();
    }
  });
}

test('a site that never answers is given up after 10 s, and the page stays responsive meanwhile', async () => {
  const url = encodeURIComponent(`${siteUrl}/silent.scenario`);
  const { page, context, errors } = await openPage(browser, `#src=${url}`, { waitFor: null });
  try {
    const t0 = Date.now();
    // While waiting the page answers script at once (nothing blocks its thread).
    assert.equal(await page.evaluate(() => 1 + 1), 2);
    await page.locator('[data-url-error]').waitFor({ timeout: 20_000 });
    assert.ok(Date.now() - t0 < 15_000, 'gave up within the timeout');
    assert.match(await alertText(page), /did not answer within 10 s/);
    assert.deepEqual(errors.filter((e) => !expected(e)), []);
  } finally {
    await context.close();
  }
});
