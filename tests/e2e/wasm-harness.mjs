// The wasm measurement harness (harness/, built by scripts/build-harness.sh into
// target/harness/) loaded in headless Chromium, and the native CLI next to it.
//
// As a library: buildHarness(), openHarness(browser[, dir]) -> { call(name, ...args), close() },
// nativeHashes(start, count).
// As a script: `node tests/e2e/wasm-harness.mjs bench [EVENTS] [SEEK_EVENTS]` prints the wasm
// figures as JSON (scripts/bench.sh uses it): the playground's build (target/harness) and, when
// built, the wasm-speed build (target/harness-speed); with PAXOSCOPE_NATIVE_BIN set, also the
// paired wasm/native rounds. `node tests/e2e/wasm-harness.mjs seek [SEEK_EVENTS]` prints only
// the seek latencies of the playground's build (docs/performance.md, "Time travel").
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..', '..');
export const HARNESS_DIR = join(ROOT, 'target', 'harness');
/** The same harness built with profile wasm-speed (`scripts/build-harness.sh wasm-speed`). */
export const SPEED_HARNESS_DIR = join(ROOT, 'target', 'harness-speed');

/** Builds target/harness (incremental; see scripts/build-harness.sh for the cost). */
export function buildHarness() {
  execFileSync(join(ROOT, 'scripts', 'build-harness.sh'), { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Trace hashes natively: of the determinism scenario (`paxoscope bench --hashes`), or with
 * `option` '--campaign-hashes' of the campaign's own seeds.
 */
export function nativeHashes(start, count, profile = 'release', option = '--hashes') {
  const out = execFileSync(
    'cargo',
    ['run', '--quiet', '--profile', profile, '-p', 'paxoscope-cli', '--', 'bench', option, String(start), String(count), '--json'],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
  );
  return JSON.parse(out);
}

/** Serves a directory with scripts/static-server.mjs on a free port. */
async function serve(dir) {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'static-server.mjs'), dir, '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`static server exited (${code})`)));
  });
  return { url, stop: () => child.kill() };
}

/**
 * Opens the harness page in `browser` and initialises the module. `call(name, ...args)` runs an
 * exported function in the page and returns its JSON result parsed.
 */
export async function openHarness(browser, dir = HARNESS_DIR) {
  const server = await serve(dir);
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(600_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(server.url, { waitUntil: 'load' });
  await page.evaluate(async () => {
    const m = await import('./paxoscope_harness.js');
    await m.default();
    window.harness = m;
  });
  return {
    errors,
    async call(name, ...args) {
      const text = await page.evaluate(([n, a]) => window.harness[n](...a), [name, args]);
      return JSON.parse(text);
    },
    async close() {
      await context.close();
      server.stop();
    },
  };
}

/** Rounds of the paired wasm/native comparison. */
export const PAIRED_ROUNDS = 5;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/**
 * The wasm/native ratios from alternating rounds: each round runs every engine once natively
 * (`nativeBin bench --round`), then once in each harness page (`builds`: name -> harness), so all
 * see the machine in the same state; a shared machine's speed drifts by more than the difference
 * being measured over the minute that separates the separate tables. A build's ratio is the
 * median of the rounds' ratios.
 */
async function pairedRounds(builds, nativeBin, events) {
  const byEngine = new Map();
  const entry = (engine) => {
    if (!byEngine.has(engine)) {
      const wasm = Object.fromEntries(Object.keys(builds).map((b) => [b, { events_per_s: [], ratios: [] }]));
      byEngine.set(engine, { engine, native: [], wasm });
    }
    return byEngine.get(engine);
  };
  for (let round = 0; round < PAIRED_ROUNDS; round++) {
    const native = JSON.parse(
      execFileSync(nativeBin, ['bench', '--round', '--events', String(events)], { encoding: 'utf8' }),
    );
    for (const n of native) entry(n.engine).native.push(n.events_per_s);
    for (const [build, h] of Object.entries(builds)) {
      const wasm = await h.call('bench_round', events);
      for (const n of native) {
        const w = wasm.find((x) => x.engine === n.engine);
        const e = entry(n.engine).wasm[build];
        e.events_per_s.push(w.events_per_s);
        e.ratios.push(w.events_per_s / n.events_per_s);
      }
    }
  }
  for (const e of byEngine.values()) for (const w of Object.values(e.wasm)) w.ratio_median = median(w.ratios);
  return [...byEngine.values()];
}

/**
 * The wasm figures bench.sh reports: throughput per engine for the playground's build (and the
 * wasm-speed build if `speedDir` holds one), seek latency and the campaign stand-in on the
 * playground's build, and (given the native binary) the paired wasm/native rounds.
 */
export async function wasmBench(events, seekEvents, seeks = 200, snapshotEvery = 2000, seeds = 200, nativeBin = null, speedDir = null) {
  const browser = await launchBrowser();
  try {
    const shipped = await openHarness(browser);
    const speed = speedDir ? await openHarness(browser, speedDir) : null;
    const builds = speed ? { shipped, speed } : { shipped };
    const throughput = await shipped.call('bench_events', events);
    const throughputSpeed = speed ? await speed.call('bench_events', events) : null;
    const seek = await shipped.call('seek_latency', seekEvents, seeks, snapshotEvery);
    const campaign = await shipped.call('campaign_stand_in', seeds);
    const paired = nativeBin ? await pairedRounds(builds, nativeBin, events) : null;
    const userAgent = await browser.version();
    const errors = Object.values(builds).flatMap((h) => h.errors);
    for (const h of Object.values(builds)) await h.close();
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return { chromium: userAgent, throughput, throughput_speed: throughputSpeed, seek, campaign, paired };
  } finally {
    await browser.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cmd, events = '1000000', seekEvents = '1000000'] = process.argv.slice(2);
  if (cmd === 'seek') {
    const browser = await launchBrowser();
    try {
      const shipped = await openHarness(browser);
      const seek = await shipped.call('seek_latency', Number(events), 200, 2000);
      if (shipped.errors.length) throw new Error(`page errors: ${shipped.errors.join('; ')}`);
      await shipped.close();
      console.log(JSON.stringify({ chromium: await browser.version(), seek }, null, 2));
    } finally {
      await browser.close();
    }
    process.exit(0);
  }
  if (cmd !== 'bench') {
    console.error('usage: node tests/e2e/wasm-harness.mjs bench [EVENTS] [SEEK_EVENTS] | seek [SEEK_EVENTS]');
    process.exit(2);
  }
  // PAXOSCOPE_NATIVE_BIN: the native `paxoscope` binary for the paired rounds (bench.sh sets it).
  const speedDir = existsSync(join(SPEED_HARNESS_DIR, 'paxoscope_harness_bg.wasm')) ? SPEED_HARNESS_DIR : null;
  const figures = await wasmBench(Number(events), Number(seekEvents), 200, 2000, 200, process.env.PAXOSCOPE_NATIVE_BIN || null, speedDir);
  console.log(JSON.stringify(figures, null, 2));
}
