#!/usr/bin/env node
// Fails when a page's wasm formats an f64 with `{}`/`{:.N}`: that one call pulls about 10 KB of
// float-to-decimal code (7 KB gzipped, measured 2026-12-07) into the bundle, and nothing else
// shows it (a panic message naming a float is enough). The page's texts use integer formatting
// (`core::decimal`, `labels::fixed`). Reads the name section of the wasm wasm-bindgen hands to
// wasm-opt (trunk's last build), which still names every function.
//   node scripts/float-free.mjs [WASM] [PAGE]
import { readFileSync } from 'node:fs';

const wasm = process.argv[2] || 'target/wasm-bindgen/release/paxoscope-web_bg.wasm';
const page = process.argv[3] || 'the page';
const names = readFileSync(wasm).toString('latin1');
if (!names.includes('core::fmt::Display>::fmt') && !names.includes('::fmt::Display')) {
  console.error(`float-free: ${wasm} has no function names (not wasm-bindgen's output?): cannot check`);
  process.exit(2);
}
const culprits = ['float_to_decimal_common', 'float_to_exponential_common'].filter((n) => names.includes(n));
if (culprits.length > 0) {
  console.error(`float-free: ${page} formats an f64 (${culprits.join(', ')} in ${wasm}): ` +
    'find the format!/assert! that prints a float and print it with core::decimal or labels::fixed');
  process.exit(1);
}
console.log(`float-free: ${page} carries no float formatting`);
