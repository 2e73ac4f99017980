#!/usr/bin/env node
// Writes a Jepsen register log whose verdict is known by construction, for the history page's
// browser tests (tests/e2e/history.test.mjs) and for trying `paxoscope check-history`:
//
//   node scripts/gen-history.mjs OPS [--processes N] [--seed S] [--info PERCENT] [--stale] > h.edn
//
// A sequential register serves PROCESSES concurrent clients. Each step picks a process: an idle
// one invokes a read, write or cas (values 1 to 5); a busy one either lets its operation take
// effect on the register (once, between its invocation and completion events) or completes it
// with the result that effect gave (a cas that found another value ends :fail). So every
// operation takes effect inside its interval: the log is linearizable. With --info, that
// percentage of writes and cas end :info instead (the effect happened or, half the time, never)
// and the process is replaced by a new one, as Jepsen does.
//
// --stale breaks it: three quarters of the way through, one process writes 1000 (a value
// nobody else writes), then 1001, then reads and reports 1000. Its three operations do not
// overlap, so the read must come after the write of 1001, and nothing writes 1000 again: not
// linearizable. (With --info as well, the search may run out of budget first: "undecided".)
import { pathToFileURL } from 'node:url';

/** A small seeded PRNG (mulberry32): the same arguments write the same log. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const edn = (v) => (v === null ? 'nil' : Array.isArray(v) ? `[${v.map(edn).join(' ')}]` : String(v));
const line = (process, type, f, value) => `{:process ${process}, :type :${type}, :f :${f}, :value ${edn(value)}}`;

/**
 * The log as text (one event a line) for `ops` operations.
 * @param {{processes?: number, seed?: number, infoPercent?: number, stale?: boolean}} o
 */
export function generateHistory(ops, { processes = 10, seed = 1, infoPercent = 0, stale = false } = {}) {
  const random = rng(seed);
  const pick = (n) => Math.floor(random() * n);
  const out = [];
  let register = null;
  let nextProcess = processes;
  // Per client slot: its process id and its operation in flight, if any.
  const slots = Array.from({ length: processes }, (_, i) => ({ process: i, op: null }));
  let invoked = 0;
  const staleAt = stale ? Math.floor((ops * 3) / 4) : -1;

  // The stale read's three operations, one after the other, by a process of their own.
  const staleProcess = () => {
    const p = nextProcess++;
    out.push(line(p, 'invoke', 'write', 1000), line(p, 'ok', 'write', 1000));
    register = 1000;
    out.push(line(p, 'invoke', 'write', 1001), line(p, 'ok', 'write', 1001));
    register = 1001;
    out.push(line(p, 'invoke', 'read', null), line(p, 'ok', 'read', 1000));
    invoked += 3;
  };

  while (invoked < ops || slots.some((s) => s.op)) {
    if (invoked === staleAt) staleProcess();
    const slot = slots[pick(processes)];
    const op = slot.op;
    if (!op) {
      if (invoked >= ops) continue;
      const kind = pick(3);
      const f = ['read', 'write', 'cas'][kind];
      const value = kind === 0 ? null : kind === 1 ? 1 + pick(5) : [1 + pick(5), 1 + pick(5)];
      slot.op = { f, value, applied: false, result: null };
      out.push(line(slot.process, 'invoke', f, value));
      invoked += 1;
    } else if (!op.applied && random() < 0.5) {
      // Takes effect now, on the register as it is.
      op.applied = true;
      if (op.f === 'read') op.result = register;
      else if (op.f === 'write') register = op.value;
      else if (register === op.value[0]) register = op.value[1];
      else op.failed = true;
    } else if (op.applied) {
      const lost = op.f !== 'read' && pick(100) < infoPercent;
      if (lost) {
        out.push(line(slot.process, 'info', op.f, op.value));
        slot.process = nextProcess++;
      } else if (op.f === 'read') {
        out.push(line(slot.process, 'ok', 'read', op.result));
      } else {
        out.push(line(slot.process, op.failed ? 'fail' : 'ok', op.f, op.value));
      }
      slot.op = null;
    } else if (op.f !== 'read' && pick(100) < infoPercent) {
      // Lost before it took effect: it never will.
      out.push(line(slot.process, 'info', op.f, op.value));
      slot.process = nextProcess++;
      slot.op = null;
    }
  }
  return out.join('\n') + '\n';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const flag = (name, fallback) => {
    const i = args.indexOf(name);
    return i < 0 ? fallback : Number(args[i + 1]);
  };
  const ops = Number(args[0]);
  if (!Number.isInteger(ops) || ops < 1) {
    console.error('usage: node scripts/gen-history.mjs OPS [--processes N] [--seed S] [--info PERCENT] [--stale]');
    process.exit(2);
  }
  process.stdout.write(
    generateHistory(ops, {
      processes: flag('--processes', 10),
      seed: flag('--seed', 1),
      infoPercent: flag('--info', 0),
      stale: args.includes('--stale'),
    }),
  );
}
