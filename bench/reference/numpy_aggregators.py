#!/usr/bin/env python3
"""NumPy reference timings for `npm run bench:agg`.

Each rule below is the plain NumPy formulation of the byzsim rule of the same
name at its default parameters, on an n x d float32 array, written for speed
the way a NumPy user would write it: vectorised over the d coordinates,
distances from the Gram matrix, mixing as a matrix product. It is a cost
reference, not a bit-exact twin: NumPy's mean and BLAS accumulate in float32
where byzsim accumulates in float64, ties are broken by index, resampling
draws from NumPy's generator, and mda searches all C(n, f) subsets where
byzsim prunes. bench/agg.ts runs this script and prints byzsim / NumPy.

Timing follows bench/agg.ts: standard Gaussian float32 inputs from a seeded
generator, one warm-up call per rule, then `--reps` calls of each rule in
turn, the median wall time per call (time.perf_counter_ns) in milliseconds.

Usage:
  numpy_aggregators.py --n 17 --d 100000 --reps 5 --rules mean@4,krum@4,bulyan@3
  numpy_aggregators.py --list

Each `name@f` times one rule at that f (default `--f`). Prints one JSON object:
  {"n": 17, "d": 100000, "reps": 5, "numpy": "2.x", "ms": {"mean@4": 0.31, ...}}
"""

import argparse
import itertools
import json
import math
import sys
import time

import numpy as np

# ---------------------------------------------------------------- helpers


def row_norms(x):
    return np.linalg.norm(x, axis=1).astype(np.float64)


def median(x):
    """Coordinate-wise median by partition (np.median along axis 0 is several times slower)."""
    n = x.shape[0]
    if n % 2:
        return np.partition(x, n // 2, axis=0)[n // 2]
    part = np.partition(x, (n // 2 - 1, n // 2), axis=0)
    return 0.5 * (part[n // 2 - 1] + part[n // 2])


def squared_distances(x):
    """n x n squared l2 distances from the Gram matrix: |xi|^2 + |xj|^2 - 2 xi.xj."""
    gram = (x @ x.T).astype(np.float64)
    sq = np.diag(gram)
    d2 = sq[:, None] + sq[None, :] - 2.0 * gram
    np.maximum(d2, 0.0, out=d2)
    np.fill_diagonal(d2, 0.0)
    return d2


def krum_scores(d2, f):
    """Sum of each input's n - f - 2 smallest squared distances to the others (Blanchard et al.)."""
    n = d2.shape[0]
    others = np.sort(d2, axis=1)[:, 1:]  # column 0 is the input itself
    return others[:, : n - f - 2].sum(axis=1)


def nearest_to_centre_mean(x, centre, keep):
    """
    Per coordinate, the mean of the `keep` values closest to `centre` (meamed,
    phocas, Bulyan). They are a run of the sorted column: of the windows
    s[w : w + keep], w = 0..n - keep, the one whose farther end is nearest the
    centre. Window sums slide, one row in and one out per step.
    """
    n = x.shape[0]
    s = np.sort(x, axis=0)
    starts = np.arange(n - keep + 1)
    reach = np.maximum(centre - s[starts], s[starts + keep - 1] - centre)
    w = np.argmin(reach, axis=0)
    sums = np.empty((len(starts), x.shape[1]))
    sums[0] = s[:keep].sum(axis=0, dtype=np.float64)
    for i in starts[1:]:
        sums[i] = sums[i - 1] - s[i - 1] + s[i - 1 + keep]
    return (np.take_along_axis(sums, w[None, :], axis=0)[0] / keep).astype(np.float32)


def trimmed_mean(x, f):
    n = x.shape[0]
    return np.sort(x, axis=0)[f : n - f].mean(axis=0)


def lower_median(values):
    return np.sort(values)[(len(values) - 1) // 2]


def mix(weights, x):
    """Rows of `weights @ x`: each output a weighted mean of inputs (NNM, resampling)."""
    return weights.astype(np.float32) @ x


# ---------------------------------------------------------------- rules


def mean(x, f, rng):
    return x.mean(axis=0)


def cwmed(x, f, rng):
    return median(x)


def cwtm(x, f, rng):
    return trimmed_mean(x, f)


def krum(x, f, rng):
    return x[np.argmin(krum_scores(squared_distances(x), f))].copy()


def multikrum(x, f, rng):
    """Multi-Krum with m = n - f, the bench's `krum(m=n-f)`."""
    n = x.shape[0]
    best = np.argsort(krum_scores(squared_distances(x), f), kind="stable")[: n - f]
    return x[best].mean(axis=0)


def geomed(x, f, rng, T=8, nu=1e-6, tol=1e-6):
    """Smoothed Weiszfeld from the coordinate-wise median, at byzsim's defaults (nu relative to the
    median distance), then byzsim's test of the nearest input."""
    z = median(x)
    dist = row_norms(x - z)
    floor = nu * lower_median(dist)
    objective = dist.sum()
    for _ in range(T):
        beta = 1.0 / np.maximum(dist, floor)
        z = (beta / beta.sum()).astype(np.float32) @ x
        dist = row_norms(x - z)
        value = dist.sum()
        done = abs(objective - value) <= tol * value
        objective = value
        if done:
            break
    # The nearest input is the geometric median iff the unit vectors toward the others sum to at most 1.
    k = int(np.argmin(dist))
    to_k = row_norms(x - x[k])
    others = to_k > 0
    pull = ((x[others] - x[k]) / to_k[others, None]).sum(axis=0)
    return x[k].copy() if np.linalg.norm(pull) <= 1 else z


def bulyan(x, f, rng):
    """Bulyan over Krum: theta = n - 2f Krum selections on one distance matrix, then per coordinate
    the mean of the theta - 2f selected values nearest their median."""
    n = x.shape[0]
    d2 = squared_distances(x)
    remaining = list(range(n))
    selected = []
    for _ in range(n - 2 * f):
        r = len(remaining)
        inner_f = f
        while inner_f > 0 and r < 2 * inner_f + 3:
            inner_f -= 1
        sub = d2[np.ix_(remaining, remaining)]
        pick = remaining[int(np.argmin(krum_scores(sub, inner_f)))] if r > 2 else remaining[0]
        selected.append(pick)
        remaining.remove(pick)
    chosen = x[selected]
    theta = len(selected)
    return nearest_to_centre_mean(chosen, median(chosen), theta - 2 * f)


def mda(x, f, rng):
    """Minimum-diameter averaging by exhaustive search over the C(n, f) subsets of n - f inputs."""
    n = x.shape[0]
    d2 = squared_distances(x)
    subsets = np.array(list(itertools.combinations(range(n), n - f)))
    diameters = d2[subsets[:, :, None], subsets[:, None, :]].max(axis=(1, 2))
    return x[subsets[int(np.argmin(diameters))]].mean(axis=0)


def meamed(x, f, rng):
    n = x.shape[0]
    return nearest_to_centre_mean(x, median(x), n - f)


def phocas(x, f, rng):
    n = x.shape[0]
    return nearest_to_centre_mean(x, trimmed_mean(x, f), n - f)


def make_cc(tau=100.0):
    """Centered clipping at byzsim's defaults (tau = 100, L = 1: one iteration per call) from the
    previous output (0 at first), as byzsim's stateful cc is timed."""
    state = {"centre": None}

    def cc(x, f, rng):
        v = state["centre"]
        if v is None or v.shape != x.shape[1:]:
            v = np.zeros(x.shape[1], np.float32)
        u = x - v
        scale = np.minimum(1.0, tau / np.maximum(row_norms(u), 1e-300)).astype(np.float32)
        state["centre"] = v + (scale[:, None] * u).mean(axis=0)
        return state["centre"]

    return cc


def nm(x, f, rng, nu=1e-6):
    r = row_norms(x)
    beta = 1.0 / np.maximum(r, nu * lower_median(r))
    return ((beta[:, None] * x).sum(axis=0) / beta.sum()).astype(np.float32)


def signmv(x, f, rng):
    return np.sign(np.sign(x).sum(axis=0)).astype(np.float32)


# ---------------------------------------------------------------- pre-aggregators, each followed by the mean


def nnm_mean(x, f, rng):
    """Each input replaced by the mean of its n - f nearest inputs (itself included), then the mean."""
    n = x.shape[0]
    nearest = np.argsort(squared_distances(x), axis=1, kind="stable")[:, : n - f]
    weights = np.zeros((n, n))
    np.put_along_axis(weights, nearest, 1.0 / (n - f), axis=1)
    return mix(weights, x).mean(axis=0)


def bucketing_mean(x, f, rng, s=2):
    n = x.shape[0]
    order = rng.permutation(n)
    buckets = np.stack([x[order[i : i + s]].mean(axis=0) for i in range(0, n, s)])
    return buckets.mean(axis=0)


def resample_mean(x, f, rng, s=2):
    """n outputs, each the mean of s inputs, each input used exactly s times (He et al., Algorithm 2)."""
    n = x.shape[0]
    draws = rng.permutation(np.repeat(np.arange(n), s)).reshape(n, s)
    weights = np.zeros((n, n))
    np.add.at(weights, (np.repeat(np.arange(n), s), draws.ravel()), 1.0 / s)
    return mix(weights, x).mean(axis=0)


def resample_wr_mean(x, f, rng, s=2):
    """n outputs, each the mean of s inputs drawn with replacement (He et al., Algorithm 3)."""
    n = x.shape[0]
    draws = rng.integers(0, n, size=(n, s))
    weights = np.zeros((n, n))
    np.add.at(weights, (np.repeat(np.arange(n), s), draws.ravel()), 1.0 / s)
    return mix(weights, x).mean(axis=0)


def clip_mean(x, f, rng, tau=1.0):
    r = row_norms(x)
    scale = np.minimum(1.0, tau / np.maximum(r, 1e-300)).astype(np.float32)
    return (scale[:, None] * x).mean(axis=0)


def arc_mean(x, f, rng):
    """The floor(2(f/n)(n - f)) largest norms clipped to the next largest, then the mean."""
    n = x.shape[0]
    k = (2 * f * (n - f)) // n
    r = row_norms(x)
    bound = np.sort(r)[::-1][k]
    scale = np.minimum(1.0, bound / np.maximum(r, 1e-300)).astype(np.float32)
    return (scale[:, None] * x).mean(axis=0)


RULES = {
    "mean": mean,
    "cwmed": cwmed,
    "cwtm": cwtm,
    "krum": krum,
    "multikrum": multikrum,
    "geomed": geomed,
    "bulyan": bulyan,
    "mda": mda,
    "meamed": meamed,
    "phocas": phocas,
    "cc": make_cc(),
    "nm": nm,
    "signmv": signmv,
    "nnm>mean": nnm_mean,
    "bucketing>mean": bucketing_mean,
    "resample>mean": resample_mean,
    "resample-wr>mean": resample_wr_mean,
    "clip>mean": clip_mean,
    "arc>mean": arc_mean,
}


# What each rule requires of (n, f), as byzsim states it.
REQUIRES = {
    "krum": (lambda n, f: n >= 2 * f + 3, "n >= 2f + 3"),
    "multikrum": (lambda n, f: n >= 2 * f + 3, "n >= 2f + 3"),
    "bulyan": (lambda n, f: n >= 4 * f + 3, "n >= 4f + 3"),
    "mean": (lambda n, f: n >= 1, "n >= 1"),
    "bucketing>mean": (lambda n, f: n >= 1, "n >= 1"),
    "resample>mean": (lambda n, f: n >= 1, "n >= 1"),
    "resample-wr>mean": (lambda n, f: n >= 1, "n >= 1"),
    "clip>mean": (lambda n, f: n >= 1, "n >= 1"),
    "nnm>mean": (lambda n, f: n >= f + 1, "n >= f + 1"),
}
HONEST_MAJORITY = (lambda n, f: n >= 2 * f + 1, "n >= 2f + 1")


def parse_rules(text, default_f, n):
    rules = []
    for item in filter(None, (t.strip() for t in text.split(","))):
        name, _, f = item.partition("@")
        if name not in RULES:
            sys.exit(f"numpy_aggregators.py: unknown rule '{name}' (known: {', '.join(RULES)})")
        f = int(f) if f else default_f
        check, text_ = REQUIRES.get(name, HONEST_MAJORITY)
        if not (f >= 0 and check(n, f)):
            sys.exit(f"numpy_aggregators.py: {name} requires {text_} (got n={n}, f={f})")
        rules.append((f"{name}@{f}", name, f))
    return rules


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=17)
    parser.add_argument("--f", type=int, default=4)
    parser.add_argument("--d", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--rules", default="", help="comma-separated name@f (default: every rule that admits --f)"
    )
    parser.add_argument("--list", action="store_true", help="print the rule names and exit")
    args = parser.parse_args()
    if args.list:
        print(json.dumps(list(RULES)))
        return
    default = [name for name in RULES if REQUIRES.get(name, HONEST_MAJORITY)[0](args.n, args.f)]
    rules = parse_rules(args.rules or ",".join(default), args.f, args.n)
    x = np.random.default_rng(args.seed).standard_normal((args.n, args.d), dtype=np.float32)
    rng = np.random.default_rng(args.seed + 1)
    for _, name, f in rules:
        RULES[name](x, f, rng)  # warm-up
    times = {key: [] for key, _, _ in rules}
    for _ in range(args.reps):
        for key, name, f in rules:
            t0 = time.perf_counter_ns()
            out = RULES[name](x, f, rng)
            times[key].append((time.perf_counter_ns() - t0) / 1e6)
            assert out.shape == (args.d,) and math.isfinite(float(out[0])), f"{key}: bad output"
    ms = {key: float(np.median(t)) for key, t in times.items()}
    print(json.dumps({"n": args.n, "d": args.d, "reps": args.reps, "numpy": np.__version__, "ms": ms}))


if __name__ == "__main__":
    main()
