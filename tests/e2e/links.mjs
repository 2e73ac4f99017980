// Helpers shared by share.test.mjs, embed.test.mjs and tours.test.mjs: scenario fragments,
// the presets read from core/presets (so tests never hard-code what the presets say), and
// readers for the playground's DOM contract.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Scenario text → URL fragment (the format's URL form), with a leading '#'. */
export function fragment(lines) {
  const text = Array.isArray(lines) ? lines.join('\n') : lines;
  let out = '';
  for (const c of text) {
    if (c === ' ') out += '+';
    else if (c === '\n') out += ';';
    else if (c === '"') out += "'";
    else if (/[A-Za-z0-9\-._~!$&()*,=:@/?]/.test(c)) out += c;
    else out += [...new TextEncoder().encode(c)].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
  }
  return '#' + out;
}

/** Parses a time as the scenario format writes it (`12s`, `9500ms`, `1.5s`) into ms. */
export function timeMs(t) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(t);
  if (!m) throw new Error(`unparsed time ${t}`);
  const v = Number(m[1]);
  return Math.round(m[2] === 'ms' ? v : m[2] === 'm' ? v * 60_000 : v * 1000);
}

/** Every preset file: { file, title, endMs, breaks, notes: [{ atMs, text }] }. */
export function presets() {
  const dir = join(ROOT, 'core', 'presets');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.scenario'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const title = /^name "(.*)"$/m.exec(text)?.[1];
      const end = /^end (\S+)$/m.exec(text)?.[1];
      const notes = [...text.matchAll(/^at (\S+) note "((?:[^"\\]|\\.)*)"$/gm)].map((m) => ({
        atMs: timeMs(m[1]),
        text: m[2].replace(/\\(.)/g, '$1'),
      }));
      return { file, text, title, endMs: end ? timeMs(end) : null, breaks: /^break /m.test(text), notes };
    });
}

/** Every monitor's contract attributes, in rank order. */
export async function monitors(page) {
  return page.locator('#cluster [data-node]').evaluateAll((els) =>
    els.map((e) => ({
      rank: e.dataset.node,
      role: e.dataset.monitorState,
      phase: e.dataset.paxosState,
      epoch: e.dataset.epoch,
      lc: e.dataset.lastCommitted,
    })),
  );
}

/** The playhead (simulated ms) once the page has caught up with its link's view (a heavy
 * link is reached a slice per frame, under a `[data-catch-up]` bar; see budget.test.mjs). */
export async function simTime(page) {
  await page.waitForFunction(() => !document.querySelector('[data-catch-up]'));
  return rawSimTime(page);
}

/** The playhead right now, caught up or not. */
export async function rawSimTime(page) {
  return Number(await page.locator('[data-sim-time-ms]').getAttribute('data-sim-time-ms'));
}

export async function traceHash(page) {
  return page.locator('[data-trace-hash]').first().textContent();
}

export const button = (page, name) => page.getByRole('button', { name, exact: true });

/** Sets the log-scale Speed slider to its maximum (100x). */
export async function fullSpeed(page) {
  await page.getByRole('slider', { name: 'Speed' }).fill('300');
}
