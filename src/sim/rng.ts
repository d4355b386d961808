/**
 * Named random streams split from one run seed (TigerBeetle/FoundationDB style).
 *
 * Every component draws from its own stream, keyed `${seed}/${name}` through
 * seedrandom's ARC4 generator, so a new draw in one component never shifts the
 * draws of another. Nothing in a run may use Math.random.
 */
import seedrandom from 'seedrandom';

export interface Rng {
  /** Name of the stream, e.g. `worker/3`. */
  readonly name: string;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Integer uniform in [0, n). */
  int(n: number): number;
  /** Standard normal draw (Box–Muller, one value per call). */
  normal(mean?: number, std?: number): number;
  /** Fisher–Yates shuffle of a copy of `items`. */
  shuffle<T>(items: readonly T[]): T[];
  /** k distinct indices out of [0, n), in draw order. */
  sample(n: number, k: number): number[];
  /**
   * An independent stream at this one's current state, under the same name: it draws what
   * this one would draw next, and drawing from either leaves the other where it was (a
   * prediction of a worker's next minibatch, src/learning/parallel/).
   */
  clone(): Rng;
}

export function createRng(seed: string | number, name: string): Rng {
  // `state: true` only adds prng.state() (a copy of the ARC4 state); the draws are the same.
  return fromPrng(name, seedrandom(`${seed}/${name}`, { state: true }));
}

function fromPrng(name: string, prng: seedrandom.StatefulPRNG<seedrandom.State.Arc4>): Rng {
  const next = (): number => prng.double();
  const rng: Rng = {
    name,
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (n) => Math.floor(next() * n),
    normal: (mean = 0, std = 1) => {
      let u = next();
      while (u <= 0) u = next();
      const v = next();
      return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    shuffle: (items) => {
      const a = items.slice();
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
      return a;
    },
    sample: (n, k) => {
      if (k > n) throw new RangeError(`cannot sample ${k} distinct indices out of ${n}`);
      const pool = Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(next() * (n - i));
        const t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
      }
      return pool.slice(0, k);
    },
    clone: () => fromPrng(name, seedrandom('', { state: prng.state() })),
  };
  return rng;
}

/** The run's stream factory: `streams.get('worker/3')` always returns the same stream object. */
export interface Streams {
  readonly seed: string | number;
  get(name: string): Rng;
}

export function createStreams(seed: string | number): Streams {
  const cache = new Map<string, Rng>();
  return {
    seed,
    get(name) {
      let rng = cache.get(name);
      if (!rng) {
        rng = createRng(seed, name);
        cache.set(name, rng);
      }
      return rng;
    },
  };
}
