// Regenerates docs/screenshot.png, the README's picture of the playground: a busy moment of a
// fixed scenario (a write in flight, a one-way cut, mon.2 selected), paused, 1400x900.
// Run against a served build:
//   node scripts/static-server.mjs dist 0 > /tmp/srv.url &
//   PAXOSCOPE_URL=$(head -1 /tmp/srv.url) node tests/e2e/readme-screenshot.mjs
import { fileURLToPath } from 'node:url';
import { launchBrowser, openPage } from './lib.mjs';
import { fragment } from './links.mjs';

const SCENARIO = [
  'paxoscope scenario v1',
  'seed 42',
  'at 2s cut 4 -> 3',
  'at 3.2s put 0 color blue',
  'view t 3212 node 2 speed 1 paused',
];
const OUT = fileURLToPath(new URL('../../docs/screenshot.png', import.meta.url));

const browser = await launchBrowser();
try {
  const { page, context, errors } = await openPage(browser, fragment(SCENARIO), {
    viewport: { width: 1400, height: 900 },
  });
  await page.waitForFunction(() => Number(document.querySelector('[data-sim-time-ms]')?.dataset.simTimeMs) === 3212);
  await page.waitForSelector('[data-invariants="ok"]');
  await page.waitForTimeout(500); // the panels render after the cluster's first frame
  await page.screenshot({ path: OUT });
  await context.close();
  if (errors.length) throw new Error(`the page reported errors: ${errors.join('; ')}`);
  console.log(`wrote ${OUT}`);
} finally {
  await browser.close();
}
