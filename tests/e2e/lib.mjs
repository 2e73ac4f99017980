// Shared helpers for Paxoscope's browser tests (node:test + playwright-core + system Chromium).
//
// The page under test is served by scripts/test.sh (a static server over dist/) and its URL is
// passed in PAXOSCOPE_URL. To run the tests by hand against `scripts/serve.sh`:
//   PAXOSCOPE_URL=http://127.0.0.1:8080/ node --test tests/e2e/*.test.mjs
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
export const SCREENSHOT_DIR = join(HERE, 'screenshots');

/** Chromium from apt; Playwright's own browser download does not work on our machines. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Base URL of the served playground, always ending in '/'. */
export function baseUrl() {
  const url = process.env.PAXOSCOPE_URL;
  if (!url) {
    throw new Error(
      'PAXOSCOPE_URL is not set: run scripts/test.sh, or serve the app and set ' +
        'PAXOSCOPE_URL=http://127.0.0.1:8080/',
    );
  }
  return url.endsWith('/') ? url : `${url}/`;
}

/** Launches headless Chromium. Close it in an `after` hook. */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Opens `path` (relative to PAXOSCOPE_URL, e.g. '' or 'embed-example.html?x=1') in a fresh
 * browser context and waits for `waitFor` (a CSS selector; null to skip).
 *
 * With `firstVisit` the page sees an empty localStorage, as on a first visit (the welcome);
 * otherwise the welcome counts as dismissed.
 *
 * With `caughtUp` (the default) it also waits until the page has reached its link's view (a
 * heavy link is reached a slice per frame under a `[data-catch-up]` bar).
 *
 * Returns { page, context, errors, warnings }. `errors` collects, from before navigation on:
 * console.error messages, uncaught page errors, failed requests and HTTP responses >= 400.
 * A test should end with `assert.deepEqual(errors, [])`. `warnings` holds console warnings
 * (informational only).
 */
export async function openPage(browser, path = '', options = {}) {
  const {
    viewport = { width: 1280, height: 800 },
    colorScheme = 'light',
    waitFor = '[data-node]',
    timeout = 30_000,
    caughtUp = true,
  } = options;
  const context = await browser.newContext({ viewport, colorScheme });
  // A first visit opens on a welcome (nothing in localStorage, no link): tests are returning
  // visitors unless they ask for `firstVisit`.
  // (about:blank, where some tests go between pages, has no localStorage.)
  if (!options.firstVisit) {
    await context.addInitScript(() => {
      try {
        localStorage.setItem('paxoscope.welcomed', '1');
      } catch {}
    });
  }
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  const errors = [];
  const warnings = [];
  page.on('console', (msg) => {
    const loc = msg.location();
    const where = loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : '';
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}${where}`);
    else if (msg.type() === 'warning') warnings.push(`console.warn: ${msg.text()}${where}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.stack || err.message}`));
  page.on('requestfailed', (req) =>
    errors.push(`requestfailed: ${req.url()} ${req.failure()?.errorText ?? ''}`),
  );
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`http ${res.status()}: ${res.url()}`);
  });
  await page.goto(new URL(path, baseUrl()).href, { waitUntil: 'load' });
  if (waitFor) await page.waitForSelector(waitFor);
  // A link whose view stands far ahead is reached a slice per frame (state.rs, CatchUp).
  if (caughtUp) await page.waitForFunction(() => !document.querySelector('[data-catch-up]'));
  return { page, context, errors, warnings };
}

/**
 * The page errors a test asserts are none: all but the shipped page's favicon fetch, which
 * continuing at the family page cancels (net::ERR_ABORTED, seen in CI). Every other failure
 * still counts.
 */
export function pageErrors(errors) {
  return errors.filter((e) => !/^requestfailed: \S+\/favicon\.svg net::ERR_ABORTED$/.test(e));
}

/** Saves a PNG of the page to tests/e2e/screenshots/NAME.png and returns its path. */
export async function screenshot(page, name, { fullPage = true } = {}) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // The page skips rendering its areas under the fold (`content-visibility: auto`) until the
  // reader scrolls to them; a capture of the whole page is no scroll, so it draws them all.
  const whole = fullPage
    ? await page.addStyleTag({ content: '* { content-visibility: visible !important; }' })
    : null;
  await page.screenshot({ path, fullPage });
  await whole?.evaluate((el) => el.remove());
  return path;
}
