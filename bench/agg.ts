/**
 * `npm run bench:agg`: milliseconds per call of every registered aggregation
 * rule, Multi-Krum and every `pre > mean` composition at n = 17, f = 4 (rules
 * that need n ≥ 4f + 3 at f = 3), d = 1e5 and 1e6, beside the project's NumPy
 * reference (bench/reference/numpy_aggregators.py, the same rule at the same
 * f, on one BLAS thread as byzsim runs on one thread) run in the same process
 * tree, as a ratio byzsim / NumPy ('—' where the reference has no such rule).
 *
 * Inputs are standard Gaussian float32 from a seeded stream (no Math.random).
 * Timings on a shared machine are noisy, so everything is interleaved: every
 * rep runs each rule once, in turn (after a warm-up call of each), and the
 * NumPy script runs between rounds of reps; medians are reported.
 *
 * Usage: npm run bench:agg [-- --quick] [-- --rules mean,cwtm,'nnm > mean']
 *   --quick   d = 1e5 only, fewer reps
 *   --rules   comma-separated names or specs, e.g. 'krum(p=3),bulyan(p=3, inner=geomed(p=3))'
 *             (commas inside a spec's parentheses are its own; default: the whole registry)
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { aggregators, createAggregator, preaggregators } from '../src/aggregators/index.ts';
import type { Aggregator } from '../src/aggregators/types.ts';
import { createRng } from '../src/sim/rng.ts';
import { splitList } from '../src/spec.ts';

const N = 17;
const F = 4;
const NUMPY_SCRIPT = fileURLToPath(new URL('./reference/numpy_aggregators.py', import.meta.url));
/** byzsim spec → the reference's rule timing the same computation (mixtailor has none: its pool is ℓp rules). */
const NUMPY_NAME: Record<string, string> = {
  mean: 'mean',
  cwmed: 'cwmed',
  cwtm: 'cwtm',
  krum: 'krum',
  [`krum(m=${N - F})`]: 'multikrum',
  multikrum: 'multikrum',
  geomed: 'geomed',
  bulyan: 'bulyan',
  mda: 'mda',
  meamed: 'meamed',
  phocas: 'phocas',
  cc: 'cc',
  nm: 'nm',
  signmv: 'signmv',
  rfa: 'rfa',
  monna: 'monna',
  caf: 'caf',
  smea: 'smea',
  dnc: 'dnc',
  signguard: 'signguard',
  flame: 'flame',
  clustering: 'clustering',
  clippedclustering: 'clippedclustering',
  foolsgold: 'foolsgold',
  fltrust: 'fltrust',
  'nnm > mean': 'nnm>mean',
  'bucketing > mean': 'bucketing>mean',
  'resample > mean': 'resample>mean',
  'resample-wr > mean': 'resample-wr>mean',
  'clip > mean': 'clip>mean',
  'arc > mean': 'arc>mean',
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

/** Every registered rule with its defaults, Multi-Krum, and `pre > mean` for each pre-aggregator. */
function defaultSpecs(): string[] {
  return [...aggregators.names(), `krum(m=${N - F})`, ...preaggregators.names().map((pre) => `${pre} > mean`)];
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

/**
 * The reference's environment: BLAS on one thread, as byzsim runs on one, so
 * the ratio compares implementations per core (and a busy machine cannot make
 * OpenBLAS's threads contend); the host's OpenBLAS tuning variables unset.
 */
function referenceEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** The reference's median ms per call, by `name@f` (the keys it prints). */
function numpyReference(d: number, names: string[], reps: number): Record<string, number> {
  if (names.length === 0) return {};
  try {
    const out = execFileSync(
      'python3',
      [NUMPY_SCRIPT, '--n', String(N), '--d', String(d), '--reps', String(reps), '--rules', names.join(',')],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: referenceEnv() },
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
  const specs = rulesArg ? splitList(rulesArg).filter(Boolean) : defaultSpecs();
  const rules = specs.map((spec) => ({ spec, agg: tryCreate(spec) }));
  const rows: Row[] = [];
  for (const d of dims) {
    const runnable = rules.filter((r): r is { spec: string; agg: Aggregator } => typeof r.agg !== 'string');
    // Each reference rule at the f its byzsim rule runs at, e.g. `bulyan@3`.
    const numpyKey = (r: { spec: string; agg: Aggregator }) => NUMPY_NAME[r.spec] && `${NUMPY_NAME[r.spec]}@${benchF(r.agg) ?? F}`;
    const numpyNames = [...new Set(runnable.map(numpyKey).filter((x): x is string => !!x))];
    const vectors = gaussianInputs(d);
    const times = new Map<string, number[]>(runnable.map((r) => [r.spec, []]));
    const failed = new Map<string, string>();
    // fltrust's trusted gradient: the first input stands in for the server's (computed outside the timing).
    const reference = vectors[0];
    const call = (r: { spec: string; agg: Aggregator }): number => {
      const ctx = { f: benchF(r.agg) ?? F, rng: createRng('bench-agg', `server/${r.spec}`), ...(r.agg.needsReference ? { reference } : {}) };
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
      const key = typeof agg === 'string' ? undefined : numpyKey({ spec, agg });
      const row: Row = { spec: f === F || f === undefined ? spec : `${spec} (f=${f})`, d, numpy: key ? ref[key] : undefined };
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
  console.log(`\nn=${N}, f=${F}, median ms per call (${quick ? 'quick' : 'full'} run); ratio = byzsim / NumPy (bench/reference/numpy_aggregators.py)\n`);
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
