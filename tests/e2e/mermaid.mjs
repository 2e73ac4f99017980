// Shared by mermaid.test.mjs and export.test.mjs: the release CLI's `paxoscope export`, and a
// blank Chromium page with mermaid 11 loaded that renders diagram text and reports what it
// drew. Neither needs the served playground.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..', '..');
const TARGET = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
const CLI = join(TARGET, 'release', 'paxoscope');
const MERMAID_BUNDLE = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');

/** Builds the release CLI if target/release/paxoscope is missing (scripts/test.sh has built it). */
export function ensureCli() {
  if (!existsSync(CLI)) {
    // About a minute on two cores with a warm cache.
    execFileSync('cargo', ['build', '--release', '-q', '-p', 'paxoscope-cli'], { cwd: ROOT, stdio: 'inherit' });
  }
}

/** `paxoscope export ARGS...`, its standard output as text. */
export function exportText(...args) {
  return execFileSync(CLI, ['export', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Lines of a diagram's body that match `re` (for counting arrows, notes, states). */
export function countLines(text, re) {
  return text.split('\n').filter((l) => re.test(l)).length;
}

/** Arrow lines of a sequence diagram (`a->>b: `, `a-->>b: `, `a-xb: `). */
export const ARROW = /^\s+\w+-(>>|->>|x)\w+: /;
export const NOTE = /^\s+Note over /;
export const STATE = /^\s+state "/;

/**
 * Opens a blank page with mermaid loaded. Returns { page, errors, render }: `render(text)`
 * renders the diagram and resolves to counts read from the SVG (actors, messages, notes,
 * states, transitions, the highlighted state, the SVG's size); it rejects with mermaid's own
 * message if the text does not parse. `errors` collects console errors and page errors.
 */
export async function openMermaid(browser) {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body><div id="out"></div></body></html>');
  await page.addScriptTag({ path: MERMAID_BUNDLE });
  await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' }));
  let renders = 0;
  const render = (text) => {
    renders += 1;
    return page.evaluate(
      async ({ id, text }) => {
        await window.mermaid.parse(text);
        const { svg } = await window.mermaid.render(id, text);
        const out = document.getElementById('out');
        out.innerHTML = svg;
        const el = out.querySelector('svg');
        const count = (sel) => el.querySelectorAll(sel).length;
        return {
          svgBytes: svg.length,
          actors: [...el.querySelectorAll('text.actor')].map((t) => t.textContent),
          actorBoxes: count('rect.actor-top'),
          messages: count('.messageText'),
          notes: count('.noteText'),
          labels: [...el.querySelectorAll('.noteText, .messageText, .edgeLabel')].map((t) => t.textContent),
          states: [...el.querySelectorAll('g.statediagram-state')].map((g) => g.textContent),
          transitions: count('path.transition'),
          current: count('g.current'),
          errorText: el.textContent.includes('Syntax error'),
        };
      },
      { id: `diagram${renders}`, text },
    );
  };
  return { page, errors, render };
}
