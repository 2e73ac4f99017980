// The wasm measurement harness (harness/, built by scripts/build-harness.sh into
// target/harness/) loaded in headless Chromium, and the native CLI next to it.
//
// As a library: buildHarness(), openHarness(browser) -> { call(name, ...args), close() },
// nativeHashes(start, count).
// As a script: `node tests/e2e/wasm-harness.mjs bench [EVENTS] [SEEK_EVENTS]` prints the wasm
// figures as JSON (scripts/bench.sh uses it); with PAXOSCOPE_NATIVE_BIN set, also the paired
// wasm/native rounds.
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..', '..');
export const HARNESS_DIR = join(ROOT, 'target', 'harness');

/** Builds target/harness (incremental; see scripts/build-harness.sh for the cost). */
export function buildHarness() {
  execFileSync(join(ROOT, 'scripts', 'build-harness.sh'), { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Trace hashes of the determinism scenario, natively: `paxoscope bench --hashes`. */
export function nativeHashes(start, count, profile = 'release') {
  const out = execFileSync(
    'cargo',
    ['run', '--quiet', '--profile', profile, '-p', 'paxoscope-cli', '--', 'bench', '--hashes', String(start), String(count), '--json'],
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
export async function openHarness(browser) {
  const server = await serve(HARNESS_DIR);
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
 * The wasm/native ratio from alternating rounds: each round runs every engine once natively
 * (`nativeBin bench --round`) and then once in the page, so both see the machine in the same
 * state; a shared machine's speed drifts by more than the difference being measured over the
 * minute that separates the two separate tables. The ratio is the median of the rounds'.
 */
async function pairedRounds(h, nativeBin, events) {
  const byEngine = new Map();
  for (let round = 0; round < PAIRED_ROUNDS; round++) {
    const native = JSON.parse(
      execFileSync(nativeBin, ['bench', '--round', '--events', String(events)], { encoding: 'utf8' }),
    );
    const wasm = await h.call('bench_round', events);
    for (const n of native) {
      const w = wasm.find((x) => x.engine === n.engine);
      const e = byEngine.get(n.engine) ?? { engine: n.engine, native: [], wasm: [], ratios: [] };
      e.native.push(n.events_per_s);
      e.wasm.push(w.events_per_s);
      e.ratios.push(w.events_per_s / n.events_per_s);
      byEngine.set(n.engine, e);
    }
  }
  return [...byEngine.values()].map((e) => ({ ...e, ratio_median: median(e.ratios) }));
}

/**
 * The wasm figures bench.sh reports: throughput per engine, seek latency, campaign stand-in,
 * and (given the native binary) the paired wasm/native rounds.
 */
export async function wasmBench(events, seekEvents, seeks = 200, snapshotEvery = 2000, seeds = 200, nativeBin = null) {
  const browser = await launchBrowser();
  try {
    const h = await openHarness(browser);
    const throughput = await h.call('bench_events', events);
    const seek = await h.call('seek_latency', seekEvents, seeks, snapshotEvery);
    const campaign = await h.call('campaign_stand_in', seeds);
    const paired = nativeBin ? await pairedRounds(h, nativeBin, events) : null;
    const userAgent = await browser.version();
    await h.close();
    if (h.errors.length) throw new Error(`page errors: ${h.errors.join('; ')}`);
    return { chromium: userAgent, throughput, seek, campaign, paired };
  } finally {
    await browser.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cmd, events = '1000000', seekEvents = '1000000'] = process.argv.slice(2);
  if (cmd !== 'bench') {
    console.error('usage: node tests/e2e/wasm-harness.mjs bench [EVENTS] [SEEK_EVENTS]');
    process.exit(2);
  }
  // PAXOSCOPE_NATIVE_BIN: the native `paxoscope` binary for the paired rounds (bench.sh sets it).
  const figures = await wasmBench(Number(events), Number(seekEvents), 200, 2000, 200, process.env.PAXOSCOPE_NATIVE_BIN || null);
  console.log(JSON.stringify(figures, null, 2));
}
