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
  const deltas = await page.evaluate(
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
    SECONDS * 1000,
  );
  const sim1 = await simNow();
  const speedShown = await page
    .locator('input[type=range][aria-label="Speed"]')
    .first()
    .getAttribute('aria-valuetext')
    .catch(() => null);
  await context.close();
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
    errors,
  };
}

const wasmFile = readdirSync(dist).find((f) => f.endsWith('.wasm')) ?? null;
const server = await serve(dist);
const browser = await launchBrowser();
try {
  const renders = [];
  for (let i = 0; i < RUNS; i++) renders.push(await firstRender(browser, server.url));
  const playing = [];
  for (const s of SPEEDS) playing.push(await frames(browser, server.url, s));
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
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  server.stop();
}
