// Determinism across targets (issues 6 and 16): the same faulted scenario per seed, run natively
// (the CLI, `paxoscope bench --hashes`) and in wasm in headless Chromium (the paxoscope-harness
// module), gives the same trace hash for every seed; and different seeds give different runs.
// Both sides build their scenario with paxoscope_harness::workloads::determinism_scenario. The
// same holds over the campaign's own fault schedules (`--campaign-hashes`, run as `paxoscope
// campaign` runs them). The hash covers every message's and store write's contents
// (docs/trace-format.md), so equal hashes mean the monitors said and wrote the same things.
//
// Cost (2 cores): building target/harness ~30 s after the trunk build (~2 min from scratch),
// `cargo run --release -p paxoscope-cli` reuses step 1's build (a link at most), then about
// one second of simulation on each side.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser } from './lib.mjs';
import { buildHarness, nativeHashes, openHarness } from './wasm-harness.mjs';

const START = 0;
const SEEDS = 120;
// Campaign seeds: each is a whole campaign run (fault phase, heal, liveness), cycling through
// the modes of `campaign_hash_options` (default, three monitors, seven beyond the assumptions,
// a mutation canary); about a second natively.
const CAMPAIGN_SEEDS = 200;

let browser;
let harness;

before(async () => {
  buildHarness();
  browser = await launchBrowser();
  harness = await openHarness(browser);
});

after(async () => {
  await harness?.close();
  await browser?.close();
});

test(`trace hashes of ${SEEDS} faulted seeds are identical natively and in wasm`, async () => {
  const native = nativeHashes(START, SEEDS);
  const wasm = await harness.call('trace_hashes', START, SEEDS);
  assert.equal(native.length, SEEDS);
  assert.equal(wasm.length, SEEDS);
  for (const h of [...native, ...wasm]) assert.match(h, /^[0-9a-f]{16}$/);
  const differing = native.map((h, i) => (h === wasm[i] ? null : `seed ${START + i}: native ${h}, wasm ${wasm[i]}`));
  assert.deepEqual(differing.filter(Boolean), [], 'every seed hashes the same on both targets');
  assert.deepEqual(harness.errors, []);
});

test(`trace hashes of ${CAMPAIGN_SEEDS} campaign seeds (their own fault schedules) are identical natively and in wasm`, async () => {
  const native = nativeHashes(START, CAMPAIGN_SEEDS, 'release', '--campaign-hashes');
  const wasm = await harness.call('campaign_trace_hashes', START, CAMPAIGN_SEEDS);
  assert.equal(native.length, CAMPAIGN_SEEDS);
  assert.equal(wasm.length, CAMPAIGN_SEEDS);
  for (const h of [...native, ...wasm]) assert.match(h, /^[0-9a-f]{16}$/);
  const differing = native.map((h, i) => (h === wasm[i] ? null : `campaign seed ${START + i}: native ${h}, wasm ${wasm[i]}`));
  assert.deepEqual(differing.filter(Boolean), [], 'every campaign seed hashes the same on both targets');
  assert.ok(new Set(wasm).size >= CAMPAIGN_SEEDS - 1, 'campaign seeds are different runs');
  assert.deepEqual(harness.errors, []);
});

test('different seeds give different runs', async () => {
  const wasm = await harness.call('trace_hashes', START, SEEDS);
  const distinct = new Set(wasm);
  // Seeds draw their faults, client operations and link jitter independently, so all but a
  // freak collision differ; a constant or seed-blind hash would give one value.
  assert.ok(distinct.size >= SEEDS - 1, `only ${distinct.size} distinct hashes among ${SEEDS} seeds`);
});

test('a seed repeats its hash within one page', async () => {
  const once = await harness.call('trace_hashes', 42, 3);
  const again = await harness.call('trace_hashes', 42, 3);
  assert.deepEqual(once, again);
});
