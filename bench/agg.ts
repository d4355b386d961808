/**
 * `npm run bench:agg`: milliseconds per call of every registered aggregation
 * rule (and of pre-aggregation compositions such as `nnm > mean`, once
 * `createAggregator` accepts them) at n = 17, f = 4, d = 1e5 and 1e6, beside
 * the NumPy reference of /work/shared/bench/numpy_aggregators.py run in the same
 * process tree, as a ratio byzsim / NumPy ('—' where NumPy has no such rule).
 *
 * Inputs are standard Gaussian float32 from a seeded stream (no Math.random).
 * Timings on a shared machine are noisy, so everything is interleaved: every
 * rep runs each rule once, in turn (after a warm-up call of each), and the
 * NumPy script runs between rounds of reps; medians are reported.
 *
 * Usage: npm run bench:agg [-- --quick] [-- --rules mean,cwtm,'nnm > mean']
 *   --quick   d = 1e5 only, fewer reps
 *   --rules   comma-separated names or specs (default: the whole registry)
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { aggregators, createAggregator } from '../src/aggregators/index.ts';
import type { Aggregator } from '../src/aggregators/types.ts';
import { createRng } from '../src/sim/rng.ts';

const N = 17;
const F = 4;
const NUMPY_SCRIPT = '/work/shared/bench/numpy_aggregators.py';
/** byzsim spec → the NumPy script's rule timing the same computation. */
const NUMPY_NAME: Record<string, string> = {
  mean: 'mean',
  cwmed: 'cwmed',
  cwtm: 'cwtm',
  krum: 'krum',
  [`krum(m=${N - F})`]: 'multikrum',
  geomed: 'geomed',
  cc: 'centered_clipping',
  // NumPy's nnm returns the n mixed vectors; a rule after it costs O(nd) at most.
  'nnm > mean': 'nnm',
};

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const rulesArg = argv.indexOf('--rules') >= 0 ? argv[argv.indexOf('--rules') + 1] : undefined;
const dims = quick ? [1e5] : [1e5, 1e6];
const ROUNDS = 3;
/** byzsim reps per round (after one warm-up call): 6 or 9 in all. */
const REPS_PER_ROUND = quick ? 2 : 3;
const NUMPY_REPS = quick ? 3 : 5;
const now = (): number => Number(process.hrtime.bigint()) / 1e6;

async function preAggregatorNames(): Promise<string[]> {
  const path = '../src/preaggregators/index.ts';
  if (!existsSync(new URL(path, import.meta.url))) return [];
  try {
    const mod = (await import(path)) as Record<string, unknown>;
    const registry = mod.preaggregators as { names(): string[] } | undefined;
    return registry ? registry.names() : [];
  } catch {
    return [];
  }
}

/** Every registered rule with its defaults, Multi-Krum, and `pre > mean` for each pre-aggregator that composes. */
async function defaultSpecs(): Promise<string[]> {
  const specs = aggregators.names();
  if (specs.includes('krum')) specs.push(`krum(m=${N - F})`);
  for (const pre of await preAggregatorNames()) specs.push(`${pre} > mean`);
  return specs;
}

function tryCreate(spec: string): Aggregator | string {
  try {
    return createAggregator(spec);
  } catch (e) {
    return (e as Error).message;
  }
}

/** F, or the largest f < F the rule accepts at n = N (Bulyan needs n ≥ 4f + 3), or undefined. */
function benchF(agg: Aggregator): number | undefined {
  for (let f = F; f >= 0; f--) if (agg.requirement.check(N, f)) return f;
  return undefined;
}

function gaussianInputs(d: number): Float32Array[] {
  const rng = createRng('bench-agg', `inputs/${d}`);
  return Array.from({ length: N }, () => {
    const v = new Float32Array(d);
    for (let j = 0; j < d; j++) v[j] = rng.normal();
    return v;
  });
}

function numpyReference(d: number, names: string[], reps: number): Record<string, number> {
  if (names.length === 0 || !existsSync(NUMPY_SCRIPT)) return {};
  try {
    const out = execFileSync(
      'env',
      ['-u', 'OPENBLAS_CORETYPE', '-u', 'OPENBLAS_L2_SIZE', 'python3', NUMPY_SCRIPT,
        '--n', String(N), '--f', String(F), '--d', String(d), '--reps', String(reps), '--rules', names.join(',')],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    return (JSON.parse(out) as { ms: Record<string, number> }).ms;
  } catch (e) {
    console.error(`NumPy reference unavailable: ${(e as Error).message.split('\n')[0]}`);
    return {};
  }
}

const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length & 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
};

const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

interface Row {
  spec: string;
  d: number;
  ms?: number;
  numpy?: number;
  note?: string;
}

async function main(): Promise<void> {
  const specs = rulesArg ? rulesArg.split(',').map((s) => s.trim()).filter(Boolean) : await defaultSpecs();
  const rules = specs.map((spec) => ({ spec, agg: tryCreate(spec) }));
  const rows: Row[] = [];
  for (const d of dims) {
    const runnable = rules.filter((r): r is { spec: string; agg: Aggregator } => typeof r.agg !== 'string');
    const numpyNames = [...new Set(runnable.map((r) => NUMPY_NAME[r.spec]).filter((x): x is string => !!x))];
    const vectors = gaussianInputs(d);
    const times = new Map<string, number[]>(runnable.map((r) => [r.spec, []]));
    const failed = new Map<string, string>();
    const call = (r: { spec: string; agg: Aggregator }): number => {
      const ctx = { f: benchF(r.agg) ?? F, rng: createRng('bench-agg', `server/${r.spec}`) };
      const t0 = now();
      r.agg.aggregate(vectors, ctx);
      return now() - t0;
    };
    for (const r of runnable) {
      try {
        call(r);
      } catch (e) {
        failed.set(r.spec, (e as Error).message);
      }
    }
    // NumPy and byzsim alternate in rounds, so a burst of load from elsewhere
    // on the machine hits both sides alike; NumPy's figure is the median of its
    // per-round medians, byzsim's the median of all its reps.
    const refs: Record<string, number>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      refs.push(numpyReference(d, numpyNames, NUMPY_REPS));
      for (let rep = 0; rep < REPS_PER_ROUND; rep++) {
        for (const r of runnable) if (!failed.has(r.spec)) times.get(r.spec)!.push(call(r));
      }
    }
    const ref: Record<string, number> = {};
    for (const name of numpyNames) {
      const ms = refs.map((x) => x[name]).filter((x) => x !== undefined);
      if (ms.length) ref[name] = median(ms);
    }
    for (const { spec, agg } of rules) {
      const f = typeof agg === 'string' ? F : benchF(agg);
      // A rule timed at a smaller f has no like-for-like NumPy reference.
      const same = f === F || f === undefined;
      const row: Row = { spec: same ? spec : `${spec} (f=${f})`, d, numpy: same ? ref[NUMPY_NAME[spec]] : undefined };
      if (typeof agg === 'string') row.note = agg;
      else if (failed.has(spec)) row.note = failed.get(spec);
      else row.ms = median(times.get(spec)!);
      rows.push(row);
      const ratio = row.ms !== undefined && row.numpy ? `${(row.ms / row.numpy).toFixed(2)}×` : '—';
      console.log(
        `d=${d.toExponential(0)}  ${row.spec.padEnd(22)} ${row.ms === undefined ? `skipped: ${row.note}` : `${fmt(row.ms).padStart(8)} ms`}` +
          `  numpy ${row.numpy === undefined ? '—' : `${fmt(row.numpy)} ms`}  ratio ${ratio}`,
      );
    }
  }
  console.log(`\nn=${N}, f=${F}, median ms per call (${quick ? 'quick' : 'full'} run); ratio = byzsim / NumPy\n`);
  const header = dims.map((d) => `d=${d.toExponential(0).replace('e+', 'e')}`);
  console.log(`| rule | ${header.map((h) => `${h} byzsim | ${h} NumPy | ratio`).join(' | ')} |`);
  console.log(`|---|${dims.map(() => '---:|---:|---:').join('|')}|`);
  for (const spec of [...new Set(rows.map((r) => r.spec))]) {
    const cells = dims.map((d) => {
      const r = rows.find((x) => x.spec === spec && x.d === d)!;
      const ms = r.ms === undefined ? 'n/a' : fmt(r.ms);
      const np = r.numpy === undefined ? '—' : fmt(r.numpy);
      const ratio = r.ms !== undefined && r.numpy ? `${(r.ms / r.numpy).toFixed(2)}×` : '—';
      return `${ms} | ${np} | ${ratio}`;
    });
    console.log(`| \`${spec}\` | ${cells.join(' | ')} |`);
  }
}

await main();
