#!/usr/bin/env node
// Prints the raw and gzipped size of the built playground's wasm, js and css, and fails when the
// gzipped total exceeds the budget.
//   node scripts/bundle-size.mjs [--json] [DIST=dist]   (BUNDLE_BUDGET_KB env overrides the 311.5 KB)
// A folder of DIST with its own index.html is another page and is not counted: measure it
// with its own run (scripts/test.sh measures dist/family/, the page with every protocol).
// --json prints one JSON object (files, per-kind and total bytes, budget, ok) instead.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { constants, gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const dist = args.filter((a) => a !== '--json')[0] || 'dist';
const budgetKb = Number(process.env.BUNDLE_BUDGET_KB || 311.5);
const KINDS = ['.wasm', '.js', '.css'];

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue; // trunk's .stage/ and the like are not shipped
    const p = join(dir, name);
    // A folder with its own index.html is another page (dist/family/), measured on its own.
    if (statSync(p).isDirectory() && !existsSync(join(p, 'index.html'))) yield* walk(p);
    else if (!statSync(p).isDirectory()) yield p;
  }
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const rows = [];
for (const file of walk(dist)) {
  const kind = extname(file);
  if (!KINDS.includes(kind)) continue;
  const data = readFileSync(file);
  const gz = gzipSync(data, { level: constants.Z_BEST_COMPRESSION }).length;
  rows.push({ file: relative(dist, file), kind, raw: data.length, gz });
}
if (!rows.some((r) => r.kind === '.wasm')) {
  console.error(`bundle-size: no .wasm file under ${dist}/ (did trunk build run?)`);
  process.exit(1);
}

if (asJson) {
  const kinds = {};
  for (const k of KINDS) {
    const of = rows.filter((r) => r.kind === k);
    kinds[k.slice(1)] = { raw: of.reduce((s, r) => s + r.raw, 0), gz: of.reduce((s, r) => s + r.gz, 0) };
  }
  const total = { raw: rows.reduce((s, r) => s + r.raw, 0), gz: rows.reduce((s, r) => s + r.gz, 0) };
  const ok = total.gz <= budgetKb * 1024;
  console.log(JSON.stringify({ dist, budget_kb: budgetKb, files: rows, kinds, total, ok }, null, 2));
  process.exit(ok ? 0 : 1);
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log(`bundle-size: ${dist}/`);
for (const r of rows.sort((a, b) => b.gz - a.gz)) {
  console.log(`  ${pad(r.file, 48)} ${lpad(kb(r.raw), 10)} raw ${lpad(kb(r.gz), 10)} gzip`);
}
let total = { raw: 0, gz: 0 };
for (const k of KINDS) {
  const of = rows.filter((r) => r.kind === k);
  const raw = of.reduce((s, r) => s + r.raw, 0);
  const gz = of.reduce((s, r) => s + r.gz, 0);
  total = { raw: total.raw + raw, gz: total.gz + gz };
  console.log(`  ${pad(k.slice(1), 48)} ${lpad(kb(raw), 10)} raw ${lpad(kb(gz), 10)} gzip`);
}
console.log(`  ${pad('total', 48)} ${lpad(kb(total.raw), 10)} raw ${lpad(kb(total.gz), 10)} gzip`);
if (total.gz > budgetKb * 1024) {
  console.error(`bundle-size: FAIL: ${kb(total.gz)} gzipped > budget ${budgetKb} KB`);
  process.exit(1);
}
console.log(`bundle-size: ok (${kb(total.gz)} gzipped <= ${budgetKb} KB budget)`);
