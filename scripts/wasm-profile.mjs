#!/usr/bin/env node
// Where the playground's wasm bytes go, per crate and per function, from twiggy (a code-size
// profiler: `cargo install twiggy`) on the wasm that trunk's wasm-bindgen step hands to wasm-opt:
// it still has the function names (the shipped file has none; wasm-opt then shrinks the code by
// about a third) and no longer has wasm-bindgen's descriptor functions (cargo's own output has).
//   node scripts/wasm-profile.mjs [WASM] [--top N]  > target/bench/wasm-profile.json
// WASM defaults to target/wasm-bindgen/release/paxoscope-web_bg.wasm (written by the last
// `trunk build --release`). Custom sections (the names) are left out: they are not shipped.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const topN = topAt >= 0 ? Number(args[topAt + 1]) : 25;
const wasm = args.filter((a, i) => !a.startsWith('--') && i !== topAt + 1)[0] ||
  'target/wasm-bindgen/release/paxoscope-web_bg.wasm';

let items;
try {
  items = JSON.parse(execFileSync('twiggy', ['top', '-n', '1000000', '-f', 'json', wasm], { maxBuffer: 1 << 28 }));
} catch (e) {
  console.error(`wasm-profile: twiggy failed on ${wasm} (install it: cargo install twiggy): ${e.message}`);
  process.exit(1);
}

/** The item's crate: the first path segment of the name, seen through `<`, `&`, `mut ` and `[`. */
function crateOf(name) {
  if (name.startsWith('data segment')) return '(data: .rodata and statics)';
  if (/^(type|elem|table|memory|global|export|import|code|func)\[/.test(name) || !/::/.test(name)) {
    return '(wasm tables, types, imports, exports)';
  }
  if (name.startsWith('import ')) return '(wasm tables, types, imports, exports)';
  // `<T as yew::...>` or `<u64 as core::fmt::Display>`: a generic or primitive Self type, so the
  // trait's crate.
  const m = name.replace(/^[<&\s]*(mut\s+|dyn\s+)?[<&\s\[]*/, '').match(/^([A-Za-z_][A-Za-z0-9_]*)(::)?/);
  if (!m) return '(other)';
  if (m[2]) return m[1];
  const trait = name.match(/ as ([A-Za-z_][A-Za-z0-9_]*)::/);
  return trait ? trait[1] : 'core';
}

/** Drops the symbol hash (`::h0123...`) and crate disambiguators (`[e24a...]`). */
const clean = (name) => name.replace(/::h[0-9a-f]{16}$/, '').replace(/\[[0-9a-f]{16}\]/g, '');

const shipped = items.filter((it) => !/^custom section|subsection$/.test(it.name));
const total = shipped.reduce((s, it) => s + it.shallow_size, 0);
const crates = new Map();
for (const it of shipped) {
  const c = crateOf(clean(it.name));
  const e = crates.get(c) ?? { crate: c, bytes: 0, items: 0 };
  e.bytes += it.shallow_size;
  e.items += 1;
  crates.set(c, e);
}
// Code that is generic and instantiated once per type (so grows with each type that uses it),
// and the formatting of `{:?}`: the candidates for cuts that do not touch behaviour.
const KINDS = [
  ['BTreeMap / BTreeSet code', /alloc::collections::btree::/],
  ['slice sorting', /core::slice::sort::/],
  ['drop glue (drop_in_place)', /drop_in_place/],
  ['Clone impls', /as core::clone::Clone>::clone/],
  ['Debug impls and builders', /fmt::Debug>::fmt|fmt::builders::Debug/],
  ['closures ({{closure}})', /\{\{closure\}\}/],
];
const kinds = KINDS.map(([kind, re]) => {
  const of = shipped.filter((it) => re.test(it.name));
  return { kind, bytes: of.reduce((s, it) => s + it.shallow_size, 0), items: of.length };
});
const functions = shipped.filter((it) => !crateOf(clean(it.name)).startsWith('('));
console.log(JSON.stringify({
  wasm,
  file_bytes: statSync(wasm).size,
  profiled_bytes: total,
  functions: functions.length,
  kinds,
  crates: [...crates.values()].sort((a, b) => b.bytes - a.bytes),
  top: functions.slice(0, topN).map((it) => ({ name: clean(it.name), bytes: it.shallow_size })),
}, null, 2));
