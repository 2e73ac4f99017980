// A long recorded run must not grow the tab without limit (issue 17): the playground keeps a
// window of the trace around the playhead, time-travel snapshots and the client history, and
// re-derives older entries by replay. This plays a busy (valid) scenario at 100x for 60 s
// and measures the wasm linear memory, where the run lives, and the JS heap.
//
// The bound: the wasm memory may grow by 8 MiB (the window of the trace, the views' caches,
// the allocator's slack) plus 24 bytes per trace entry recorded, which is the 64 bytes
// per event at the ~2.7 entries per event of a Ceph run. Kept whole, the trace alone would
// cost about 180 bytes per entry (docs/performance.md, "Cost growth", before the window), so
// a page that kept it would fail this bound sevenfold; the figure is printed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage } from './lib.mjs';
import { fragment } from './links.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Leases renewed every 50 ms: a few hundred events per simulated second, all valid. */
const BUSY = fragment(['paxoscope scenario v1', 'set lease_renew_ms 50', 'end 86400s', 'view t 0 node - speed 100 playing']);

const PLAY_MS = 60_000;
const BASE_MIB = 8;
const BYTES_PER_ENTRY = 24;

/** Keeps the wasm module's memory where the test can read it (set before the page loads). */
function captureWasmMemory() {
  const keep = (result) => {
    const instance = result.instance ?? result;
    const memory = instance?.exports?.memory;
    if (memory instanceof WebAssembly.Memory) window.__paxoscopeMemory = memory;
    return result;
  };
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    WebAssembly[name] = (...args) => original.apply(WebAssembly, args).then(keep);
  }
}

/** Bytes of wasm linear memory and of used JS heap now. */
async function memoryNow(page) {
  return page.evaluate(() => ({
    wasm: window.__paxoscopeMemory?.buffer.byteLength ?? 0,
    js: performance.memory?.usedJSHeapSize ?? 0,
  }));
}

/** Trace entries recorded so far, from the event log's title (`· N entries, newest first`). */
async function entries(page) {
  const text = await page.locator('#log-title').textContent();
  return Number(/([\d]+) entries/.exec(text)?.[1] ?? NaN);
}

const mib = (b) => (b / (1 << 20)).toFixed(1);

test('playing a busy run at 100x for 60 s keeps the wasm memory within a stated bound', { timeout: 150_000 }, async () => {
  const { page, context, errors } = await openPage(browser, BUSY, {});
  try {
    await page.addInitScript(captureWasmMemory);
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('[data-node]');
    const start = await memoryNow(page);
    assert.ok(start.wasm > 0, 'the wasm memory was found');
    await page.waitForTimeout(PLAY_MS);
    const end = await memoryNow(page);
    const n = await entries(page);
    const grown = end.wasm - start.wasm;
    console.log(
      `memory: ${n} trace entries after ${PLAY_MS / 1000} s at 100x; wasm ${mib(start.wasm)} -> ` +
        `${mib(end.wasm)} MiB (+${mib(grown)}), JS heap ${mib(start.js)} -> ${mib(end.js)} MiB; ` +
        `kept whole at 180 B/entry the trace alone would be ${mib(n * 180)} MiB`,
    );
    assert.ok(n > 100_000, `the run went far enough to tell: ${n} entries`);
    const bound = BASE_MIB * (1 << 20) + BYTES_PER_ENTRY * n;
    assert.ok(
      grown <= bound,
      `wasm memory grew ${mib(grown)} MiB over ${n} entries, more than ${mib(bound)} MiB ` +
        `(${BASE_MIB} MiB + ${BYTES_PER_ENTRY} bytes per entry)`,
    );
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
