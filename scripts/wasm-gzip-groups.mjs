#!/usr/bin/env node
// Where a bigger page's extra bytes go, by group, as gzip sees them: the functions of WASM_BIG
// (the family page's wasm before wasm-opt, with its name section) are matched by name to those of
// WASM_SMALL (the shipped page's: each instance of a generic function takes one of the small
// page's instances of the same name), and what is left over is grouped (the protocols' own code,
// the engine's extra instances, std generics, the linearizability checker, other). For each group:
// functions, raw bytes, and the marginal gzip -9 cost (the code section gzipped with and without
// the group). docs/performance.md, "Where the family page's bytes go", was made with it:
//   trunk build ... --dist /tmp/a && cp target/wasm-bindgen/release/paxoscope-web_bg.wasm /tmp/small.wasm
//   trunk build ... --features basic-paxos,multi-paxos --dist /tmp/b && cp ... /tmp/big.wasm
//   node scripts/wasm-gzip-groups.mjs /tmp/small.wasm /tmp/big.wasm [--top]
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
function load(file) {
  const buf = readFileSync(file); let p = 8;
  const leb = () => { let r = 0, s = 0, b; do { b = buf[p++]; r += (b & 0x7f) * 2 ** s; s += 7; } while (b & 0x80); return r; };
  let imports = 0, code = null, names = new Map(), data = null;
  while (p < buf.length) {
    const id = buf[p++]; const size = leb(); const start = p; const end = p + size;
    if (id === 2) { const n = leb(); for (let i = 0; i < n; i++) { let l = leb(); p += l; l = leb(); p += l; const k = buf[p++];
        if (k === 0) { leb(); imports++; } else if (k === 1) { p++; const f = buf[p++]; leb(); if (f & 1) leb(); } else if (k === 2) { const f = buf[p++]; leb(); if (f & 1) leb(); } else { p += 2; } } }
    if (id === 10) { const n = leb(); code = []; for (let i = 0; i < n; i++) { const l = leb(); code.push(buf.subarray(p, p + l)); p += l; } }
    if (id === 11) data = buf.subarray(start, end);
    if (id === 0) { const l = leb(); const nm = buf.subarray(p, p + l).toString(); p += l;
      if (nm === 'name') { while (p < end) { const sid = buf[p++]; const ss = leb(); const se = p + ss;
          if (sid === 1) { const n = leb(); for (let i = 0; i < n; i++) { const idx = leb(); const l2 = leb(); names.set(idx, buf.subarray(p, p + l2).toString()); p += l2; } }
          p = se; } } }
    p = end;
  }
  return { fns: code.map((b, i) => ({ b, name: (names.get(i + imports) || '?').replace(/::h[0-9a-f]{16}$/, '').replace(/\.\d+$/, '') })), data };
}
const args = process.argv.slice(2).filter((a) => a !== "--top");
const showTop = process.argv.includes("--top");
if (args.length !== 2) { console.error("usage: node scripts/wasm-gzip-groups.mjs SMALL.wasm BIG.wasm [--top]"); process.exit(2); }
const C = load(args[0]), A = load(args[1]);
const cnt = new Map(); for (const f of C.fns) cnt.set(f.name, (cnt.get(f.name) || 0) + 1);
// Assign each of A's functions: shared (matches one of Ceph's by name, first come) or extra.
const left = new Map(cnt);
for (const f of A.fns) { const k = left.get(f.name) || 0; if (k > 0) { f.shared = true; left.set(f.name, k - 1); } }
const cat = (f) => {
  const n = f.name;
  if (/protocols::(basic_paxos|multi_paxos)|BasicPaxos|MultiPaxos/.test(n) && !/(Session|World|TraceEvent|Effect|Input|Ev|Snapshot|Slot)<paxoscope_core::protocols/.test(n)) return 'a: protocols own code';
  if (/paxoscope_core::(session|sim|view|trace|export|actor|narrate|budget)|Session<|World<|TraceEvent<|Effect<|Input<|Ev<|Slot<|Snapshot</.test(n)) return 'b: engine, one more instance per protocol';
  if (/paxoscope_core::check::linearizability/.test(n)) return 'c: linearizability checker';
  if (/^(alloc|core)::|^<(alloc|core)::|<T as|<&T as|drop_in_place/.test(n)) return 'b3: std generics (BTreeMap, sort, Vec, Rc, drop glue)';
  return 'c: other';
};
const gz = (fs) => gzipSync(Buffer.concat(fs.map(f => f.b)), { level: 9 }).length;
const base = gz(A.fns), cbase = gz(C.fns);
console.log('small page code gzip', cbase, 'big page code gzip', base, 'delta', base - cbase, 'data gz', gzipSync(C.data,{level:9}).length, '->', gzipSync(A.data,{level:9}).length);
const extra = A.fns.filter(f => !f.shared);
const groups = {};
for (const f of extra) (groups[cat(f)] ||= []).push(f);
let sumMarg = 0;
for (const [c, fs] of Object.entries(groups).sort()) {
  const set = new Set(fs);
  const m = base - gz(A.fns.filter(f => !set.has(f)));
  sumMarg += m;
  const top = [...fs].sort((x, y) => y.b.length - x.b.length).slice(0, 6).map(f => `${f.name.slice(0, 90)} ${f.b.length}`);
  console.log(`${c}: ${fs.length} functions, raw ${fs.reduce((a, f) => a + f.b.length, 0)}, gzip marginal ${m}`);
  if (showTop) console.log('   ' + top.join('\n   '));
}
console.log('sum of marginals', sumMarg);
