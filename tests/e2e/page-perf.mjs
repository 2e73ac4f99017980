// Page figures for scripts/bench.sh (a measurement, not a test): time from navigation to the
// first rendered cluster, and requestAnimationFrame deltas while playing at 1x, 10x and 100x.
//
//   node tests/e2e/page-perf.mjs [DIST=dist] [--seconds N] [--runs N]
// prints one JSON object. Serves DIST (a release build: `trunk build --release`) with
// scripts/static-server.mjs and drives /usr/bin/chromium headless.
//
// DOM contract used: `#cluster` containing `[data-node]` elements; a button labelled "Play"
// or "Pause"; `input[type=range][aria-label="Speed"]`; `[data-sim-time-ms]` on the clock; a
// scenario in the URL fragment with a `view t 0s node - speed S playing` line.
//
// What the frame figures mean. `p50_ms`/`p95_ms`/`max_ms`/`fps` are requestAnimationFrame
// deltas over an untraced window, measured exactly as before (wall clock: a frame is late when
// the page, or anything else on the machine, kept the renderer from producing it in time).
// Next to them, so that a reader can tell the page's cost from the machine's:
//   - `baseline`: the same deltas for a blank page with only a rAF loop, and for a static copy
//     of the playground's DOM (no script), measured in the same browser just before and after
//     the playing runs. When these miss frames too, the machine (headless software compositor,
//     load from other processes) is the floor; when they do not, the misses are the page's.
//   - per speed, `late_frames` (deltas over 1.5 vsync intervals, 25 ms) and, from a second,
//     traced window of the same length (a fresh page), `cpu_per_frame_ms`: the CPU time per
//     frame of each thread that works for the page (renderer main thread: rAF callback,
//     style, layout, paint; raster workers; the compositor thread; viz, which composites in
//     software here; the browser process's main thread, which e.g. stores every
//     history.replaceState),
//     and `main_work_ms`, the main thread's CPU time per frame (BeginMainFrame) at p50/p95.
//     On 2 shared cores, frames are late when this total CPU does not get its share in time.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const dist = resolve(args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) || join(ROOT, 'dist'));
const SECONDS = option('--seconds', 4);
const RUNS = option('--runs', 5);
const SPEEDS = [1, 10, 100];

/** A busy 10-minute scenario: a write every 2 s, reads, a crash and a partition. */
function scenarioText(speed) {
  const lines = ['paxoscope scenario v1', 'name "page-perf"', 'seed 1', 'end 600s', `view t 0s node - speed ${speed.toFixed(1)} playing`];
  for (let t = 2; t < 600; t += 2) {
    lines.push(`at ${t}s put ${t % 5} k${t % 7} v${t}`);
    if (t % 6 === 0) lines.push(`at ${t}s get ${(t + 2) % 5} k${t % 7}`);
  }
  lines.push('at 30s crash 0', 'at 45s restart 0', 'at 90s partition 0 1 | 2 3 4', 'at 120s heal');
  lines.push('at 300s isolate 2', 'at 330s heal');
  // The fragment codec of core/src/scenario/url.rs: space '+', newline ';', '"' as "'".
  const plain = /[A-Za-z0-9\-._~!$&()*,=:@/?]/;
  let out = '';
  for (const ch of lines.join('\n')) {
    if (ch === ' ') out += '+';
    else if (ch === '\n') out += ';';
    else if (ch === '"') out += "'";
    else if (plain.test(ch)) out += ch;
    else out += [...Buffer.from(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

async function serve(dir) {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'static-server.mjs'), dir, '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((res, rej) => {
    lines.once('line', res);
    child.once('exit', (code) => rej(new Error(`static server exited (${code})`)));
  });
  return { url, stop: () => child.kill() };
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pct = (xs, p) => {
  const s = sorted(xs);
  return s.length ? s[Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length))) - 1] : null;
};
const r2 = (x) => (x == null ? null : Math.round(x * 100) / 100);

/** Navigation start to the first `#cluster [data-node]` in the DOM, and to the frame after. */
async function firstRender(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => {
    const seen = () => document.querySelector('#cluster [data-node]');
    const observer = new MutationObserver(() => {
      if (window.__paxInDom == null && seen()) {
        window.__paxInDom = performance.now();
        observer.disconnect();
        requestAnimationFrame(() => requestAnimationFrame(() => (window.__paxPainted = performance.now())));
      }
    });
    observer.observe(document, { childList: true, subtree: true });
  });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__paxPainted != null, null, { timeout: 30_000 });
  const t = await page.evaluate(() => ({
    in_dom_ms: window.__paxInDom,
    painted_ms: window.__paxPainted,
    dom_content_loaded_ms: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? null,
  }));
  await context.close();
  return t;
}

/** Deltas between consecutive requestAnimationFrame callbacks over `ms` of wall time. */
function rafDeltas(page, ms) {
  return page.evaluate(
    (ms) =>
      new Promise((done) => {
        const ts = [];
        const step = (t) => {
          ts.push(t);
          if (t - ts[0] < ms) requestAnimationFrame(step);
          else done(ts.slice(1).map((x, i) => x - ts[i]));
        };
        requestAnimationFrame(step);
      }),
    ms,
  );
}

/** A frame counts as late when it came more than 1.5 vsync intervals after the previous one. */
const LATE_MS = 25;
const deltaFigures = (deltas) => ({
  frames: deltas.length,
  p50_ms: r2(pct(deltas, 50)),
  p95_ms: r2(pct(deltas, 95)),
  max_ms: r2(Math.max(...deltas)),
  late_frames: deltas.filter((d) => d > LATE_MS).length,
});

/**
 * CPU time per frame of the threads that work for the page, from a Chromium trace of `ms`
 * of rAF callbacks: { frames, cpu_per_frame_ms: {total, main, raster, compositor, viz,
 * browser}, main_work_ms: {p50, p95} }. Thread time (`tdur`) of top-level tasks, so time spent
 * waiting for a core is not counted.
 */
async function tracedCpu(browser, page, ms) {
  await browser.startTracing(page, { categories: ['toplevel', 'cc'] });
  const deltas = await rafDeltas(page, ms);
  const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
  const threadName = new Map();
  const processName = new Map();
  for (const e of events) {
    if (e.ph !== 'M') continue;
    if (e.name === 'thread_name') threadName.set(`${e.pid}/${e.tid}`, e.args.name);
    if (e.name === 'process_name') processName.set(e.pid, e.args.name);
  }
  const role = (e) => {
    const proc = processName.get(e.pid) ?? '';
    const thread = threadName.get(`${e.pid}/${e.tid}`) ?? '';
    if (proc.startsWith('GPU') && thread === 'VizCompositorThread') return 'viz';
    if (proc.startsWith('Browser') && thread === 'CrBrowserMain') return 'browser';
    if (!proc.startsWith('Renderer')) return null;
    if (thread === 'CrRendererMain') return 'main';
    if (thread === 'Compositor') return 'compositor';
    if (thread.startsWith('ThreadPool')) return 'raster';
    return null;
  };
  const sums = { main: 0, raster: 0, compositor: 0, viz: 0, browser: 0 };
  const mainWork = [];
  for (const e of events) {
    if (e.ph !== 'X' || e.tdur === undefined) continue;
    if (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'ThreadPool_RunTask') {
      const r = role(e);
      if (r) sums[r] += e.tdur / 1000;
    } else if (e.name === 'ProxyMain::BeginMainFrame' && role(e) === 'main') {
      mainWork.push(e.tdur / 1000);
    }
  }
  const n = Math.max(1, deltas.length);
  const perFrame = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, r2(v / n)]));
  perFrame.total = r2(Object.values(sums).reduce((a, b) => a + b, 0) / n);
  return { frames: deltas.length, cpu_per_frame_ms: perFrame, main_work_ms: { p50: r2(pct(mainWork, 50)), p95: r2(pct(mainWork, 95)) } };
}

/** The same deltas for a page given as HTML text (served from the same origin). */
async function htmlFrames(browser, baseUrl, html) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const url = new URL('__page-perf-baseline.html', baseUrl).href;
  await page.route(url, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(1000);
  const figures = deltaFigures(await rafDeltas(page, SECONDS * 1000));
  const cpu = await tracedCpu(browser, page, SECONDS * 1000);
  await context.close();
  return { ...figures, cpu_per_frame_ms: cpu.cpu_per_frame_ms };
}

const BLANK_HTML = '<!doctype html><html><head><title>blank</title></head><body><p>blank</p></body></html>';

/** The playground's DOM a second into playing, without its scripts: the static copy. */
async function staticCopy(browser, baseUrl) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${baseUrl}#${scenarioText(1)}`, { waitUntil: 'load' });
  await page.waitForSelector('#cluster [data-node]');
  await page.waitForTimeout(1000);
  const html = await page.evaluate(() => {
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll('script, link[rel=modulepreload], link[rel=preload]').forEach((e) => e.remove());
    return `<!doctype html>${copy.outerHTML}`;
  });
  await context.close();
  return html;
}

async function frames(browser, baseUrl, speed) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${baseUrl}#${scenarioText(speed)}`, { waitUntil: 'load' });
  await page.waitForSelector('#cluster [data-node]');
  const play = page.locator('button[aria-label="Play"]');
  if (await play.count()) await play.first().click(); // the view line did not start playback
  const simNow = () =>
    page.evaluate(() => Number(document.querySelector('[data-sim-time-ms]')?.getAttribute('data-sim-time-ms') ?? NaN));
  await page.waitForTimeout(1000); // settle: first frames, JIT
  const sim0 = await simNow();
  const deltas = await rafDeltas(page, SECONDS * 1000);
  const sim1 = await simNow();
  const speedShown = await page
    .locator('input[type=range][aria-label="Speed"]')
    .first()
    .getAttribute('aria-valuetext')
    .catch(() => null);
  await context.close();
  // The traced window plays the same scenario from the start in a fresh page (at 100x the
  // first page is near the scenario's end by now).
  const traced = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const tracedPage = await traced.newPage();
  await tracedPage.goto(`${baseUrl}#${scenarioText(speed)}`, { waitUntil: 'load' });
  await tracedPage.waitForSelector('#cluster [data-node]');
  await tracedPage.waitForTimeout(1000);
  const cpu = await tracedCpu(browser, tracedPage, SECONDS * 1000);
  await traced.close();
  const wall = deltas.reduce((s, d) => s + d, 0);
  return {
    speed,
    speed_shown: speedShown,
    frames: deltas.length,
    p50_ms: r2(pct(deltas, 50)),
    p95_ms: r2(pct(deltas, 95)),
    max_ms: r2(Math.max(...deltas)),
    fps: r2((deltas.length / wall) * 1000),
    // Simulated time per wall time over the window: the speed the page really achieved.
    achieved_speed: Number.isFinite(sim1 - sim0) ? r2((sim1 - sim0) / wall) : null,
    late_frames: deltas.filter((d) => d > LATE_MS).length,
    cpu_per_frame_ms: cpu.cpu_per_frame_ms,
    main_work_ms: cpu.main_work_ms,
    errors,
  };
}

const wasmFile = readdirSync(dist).find((f) => f.endsWith('.wasm')) ?? null;
const server = await serve(dist);
const browser = await launchBrowser();
try {
  const renders = [];
  for (let i = 0; i < RUNS; i++) renders.push(await firstRender(browser, server.url));
  const copyHtml = await staticCopy(browser, server.url);
  const blankBefore = await htmlFrames(browser, server.url, BLANK_HTML);
  const playing = [];
  for (const s of SPEEDS) playing.push(await frames(browser, server.url, s));
  const blankAfter = await htmlFrames(browser, server.url, BLANK_HTML);
  const copy = await htmlFrames(browser, server.url, copyHtml);
  const inDom = renders.map((r) => r.in_dom_ms);
  const painted = renders.map((r) => r.painted_ms);
  console.log(
    JSON.stringify(
      {
        dist,
        wasm: wasmFile,
        chromium: browser.version(),
        first_render: {
          runs: RUNS,
          in_dom_p50_ms: r2(pct(inDom, 50)),
          painted_p50_ms: r2(pct(painted, 50)),
          painted_max_ms: r2(Math.max(...painted)),
          runs_ms: renders.map((r) => r2(r.painted_ms)),
        },
        frames: { seconds: SECONDS, speeds: playing },
        baseline: { blank_before: blankBefore, blank_after: blankAfter, static_copy: copy },
        loadavg: (await import('node:os')).loadavg().map(r2),
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  server.stop();
}
