// Frame-time benchmark (prints figures; not a test): plays the default playground at 10x in
// headless Chromium for about 5 s and reports requestAnimationFrame deltas (p50, p95, max),
// plus the main thread's CPU time per frame from a Chromium trace (the animation-frame
// callback, i.e. simulation + Yew render, and style/layout/paint). On a busy machine the
// wall-clock deltas include time the renderer waited for a core; the CPU figures do not.
//   PAXOSCOPE_URL=http://127.0.0.1:PORT/ node tests/e2e/bench-frames.mjs [speed] [seconds]
import { launchBrowser, openPage } from './lib.mjs';

const speed = process.argv[2] || '10';
const seconds = Number(process.argv[3] || 5);
// A third argument 'paused' measures the idle page (the baseline of the machine).
const mode = process.argv[4] === 'paused' ? 'paused' : 'playing';
const hash =
  '#paxoscope+scenario+v1;seed+42;set+latency_ms+100;set+jitter_ms+50;' +
  `view+t+0+node+0+speed+${speed}+${mode};at+3s+put+2+color+blue;at+6s+isolate+0;at+25s+heal`;

const browser = await launchBrowser();
try {
  const { page, context, errors } = await openPage(browser, hash, { viewport: { width: 1400, height: 900 } });
  await browser.startTracing(page, { categories: ['devtools.timeline'] });
  const { out: deltas, work } = await page.evaluate(
    (ms) =>
      new Promise((resolve) => {
        const out = [];
        const work = [];
        let last = null;
        const start = performance.now();
        // The playground's frame callback was registered first, so it has run by now:
        // the time since the frame began is (mostly) the playground's work in this frame.
        const frame = (ts) => {
          work.push(performance.now() - ts);
          if (last !== null) out.push(ts - last);
          last = ts;
          if (ts - start < ms) requestAnimationFrame(frame);
          else resolve({ out, work });
        };
        requestAnimationFrame(frame);
      }),
    seconds * 1000,
  );
  const traceEvents = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
  const simMs = await page.locator('[data-sim-time-ms]').getAttribute('data-sim-time-ms');
  deltas.sort((a, b) => a - b);
  work.sort((a, b) => a - b);
  const pick = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(1);
  const q = (p) => pick(deltas, p);
  console.log(
    `frames ${deltas.length} over ${seconds} s at ${speed}x: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, ` +
      `max ${deltas[deltas.length - 1].toFixed(1)} ms; work in frame p50 ${pick(work, 0.5)} ms, ` +
      `p95 ${pick(work, 0.95)} ms; sim time reached ${simMs} ms; errors ${errors.length}`,
  );
  const cpu = (names) =>
    traceEvents
      .filter((e) => names.includes(e.name) && e.ph === 'X' && e.tdur !== undefined)
      .map((e) => e.tdur / 1000)
      .sort((a, b) => a - b);
  const frameCpu = cpu(['FireAnimationFrame']);
  const renderCpu = ['UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize'].map((n) => {
    const xs = cpu([n]);
    return `${n} ${pick(xs, 0.95)}`;
  });
  console.log(
    `main-thread CPU per frame: animation-frame callback p50 ${pick(frameCpu, 0.5)} ms, ` +
      `p95 ${pick(frameCpu, 0.95)} ms, max ${frameCpu[frameCpu.length - 1].toFixed(1)} ms; ` +
      `rendering p95 (ms): ${renderCpu.join(', ')}`,
  );
  await context.close();
} finally {
  await browser.close();
}
