// Frame-time benchmark (prints figures; not a test): plays the default playground at 10x in
// headless Chromium for about 5 s and reports requestAnimationFrame deltas (p50, p95, max).
//   PAXOSCOPE_URL=http://127.0.0.1:PORT/ node tests/e2e/bench-frames.mjs [speed] [seconds]
import { launchBrowser, openPage } from './lib.mjs';

const speed = process.argv[2] || '10';
const seconds = Number(process.argv[3] || 5);
const hash =
  '#paxoscope+scenario+v1;seed+42;set+latency_ms+100;set+jitter_ms+50;' +
  `view+t+0+node+0+speed+${speed}+playing;at+3s+put+2+color+blue;at+6s+isolate+0;at+25s+heal`;

const browser = await launchBrowser();
try {
  const { page, context, errors } = await openPage(browser, hash, { viewport: { width: 1400, height: 900 } });
  const deltas = await page.evaluate(
    (ms) =>
      new Promise((resolve) => {
        const out = [];
        let last = null;
        const start = performance.now();
        const frame = (ts) => {
          if (last !== null) out.push(ts - last);
          last = ts;
          if (ts - start < ms) requestAnimationFrame(frame);
          else resolve(out);
        };
        requestAnimationFrame(frame);
      }),
    seconds * 1000,
  );
  const simMs = await page.locator('[data-sim-time-ms]').getAttribute('data-sim-time-ms');
  deltas.sort((a, b) => a - b);
  const q = (p) => deltas[Math.min(deltas.length - 1, Math.floor(p * deltas.length))].toFixed(1);
  console.log(
    `frames ${deltas.length} over ${seconds} s at ${speed}x: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, ` +
      `max ${deltas[deltas.length - 1].toFixed(1)} ms; sim time reached ${simMs} ms; errors ${errors.length}`,
  );
  await context.close();
} finally {
  await browser.close();
}
