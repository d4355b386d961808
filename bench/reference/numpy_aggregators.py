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

Every rule of byzsim with a NumPy formulation is here (mixtailor is a draw
from a pool of the others). The rules of 0.4 follow their headers at their
defaults: top eigenpairs by np.linalg.eigh (caf, dnc) or a batched
np.linalg.eigvalsh over all C(n, f) subsets (smea, which byzsim prunes);
dnc's coordinates, signguard's block and flame's noise from NumPy's
generator; the clustering steps written out in NumPy as the rules' headers
describe them, without sklearn or hdbscan: mean shift with sklearn's
bandwidth estimate and bin seeding (signguard), HDBSCAN at min_samples = 1 as
the majority component of the minimum spanning tree (flame), average-linkage
agglomerative clustering by Lance-Williams updates (clustering,
clippedclustering). clippedclustering and foolsgold are stateful, as byzsim
times them: norms and histories accumulate over the calls. fltrust takes the
first input as the server's trusted gradient, as bench/agg.ts does.

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


def weighted_mean(weights, x):
    """Σ wᵢxᵢ / Σ wᵢ as one matrix-vector product."""
    return (weights / weights.sum()).astype(np.float32) @ x


def top_eigenpair(a):
    """Largest eigenvalue of the symmetric matrix `a` and a unit eigenvector (np.linalg.eigh)."""
    values, vectors = np.linalg.eigh(a)
    return values[-1], vectors[:, -1]


def cosine_distances(gram):
    """1 - cos(xᵢ, xⱼ) from the Gram matrix, in [0, 2]; a zero row has cosine 0 with every other."""
    sq = np.diag(gram)
    scale = np.sqrt(np.outer(sq, sq))
    with np.errstate(divide="ignore", invalid="ignore"):
        cos = np.where(scale > 0, gram / scale, 0.0)
    dist = 1.0 - np.clip(cos, -1.0, 1.0)
    np.fill_diagonal(dist, 0.0)
    return dist


def larger_agglomerative_cluster(dist):
    """
    Agglomerative clustering (average linkage, Lance-Williams updates) of the
    distance matrix `dist` into two clusters; the indices of the larger one.
    """
    n = dist.shape[0]
    if n <= 2:
        return np.arange(1 if n else 0)
    D = dist.astype(np.float64, copy=True)
    np.fill_diagonal(D, np.inf)
    size = np.ones(n)
    members = [[i] for i in range(n)]
    for _ in range(n - 2):
        i, j = np.unravel_index(int(np.argmin(D)), D.shape)  # i < j: the first minimum of a symmetric matrix
        merged = (size[i] * D[i] + size[j] * D[j]) / (size[i] + size[j])
        D[i, :] = D[:, i] = merged
        D[i, i] = np.inf
        D[j, :] = D[:, j] = np.inf
        size[i] += size[j]
        members[i] += members[j]
        members[j] = []
    first, second = [m for m in members if m]
    return np.array(sorted(second if len(second) > len(first) else first))


def hdbscan_majority(dist):
    """
    The cluster HDBSCAN(min_cluster_size = n//2 + 1, min_samples = 1,
    allow_single_cluster) labels 0 on `dist` (flame.ts's header: with
    min_samples = 1 the hierarchy is single linkage on the minimum spanning
    tree, and the cluster is the first component of MST edges <= t to reach
    min_cluster_size points). Prim's MST, then Kruskal over its edges.
    """
    n = dist.shape[0]
    min_size = n // 2 + 1
    in_tree = np.zeros(n, bool)
    in_tree[0] = True
    best = dist[0].copy()
    source = np.zeros(n, int)
    edges = []
    for _ in range(n - 1):
        k = int(np.argmin(np.where(in_tree, np.inf, best)))
        edges.append((best[k], source[k], k))
        in_tree[k] = True
        closer = ~in_tree & (dist[k] < best)
        best[closer] = dist[k][closer]
        source[closer] = k
    parent = list(range(n))
    size = [1] * n

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    root = 0 if min_size <= 1 else -1
    edges.sort(key=lambda e: e[0])
    k = 0
    while k < len(edges) and root < 0:
        level = edges[k][0]
        # A whole level of equal weights merges before a component's size is asked.
        while k < len(edges) and edges[k][0] == level:
            a, b = find(edges[k][1]), find(edges[k][2])
            k += 1
            if a == b:
                continue
            parent[b] = a
            size[a] += size[b]
            if size[a] >= min_size:
                root = a
    return np.array([i for i in range(n) if find(i) == find(root)])


def mean_shift_largest(points):
    """
    The largest cluster of sklearn's MeanShift(bandwidth=estimate_bandwidth(quantile=0.5),
    bin_seeding=True, cluster_all=False) on a few points (flat kernel, seeds on the
    bandwidth grid), written out in NumPy; a boolean mask.
    """
    n = len(points)
    between = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
    bandwidth = np.sort(between, axis=1)[:, max(1, int(n * 0.5)) - 1].mean()
    if bandwidth == 0:
        # Every point's statistics shared by n/2 others or more: equal points cluster together.
        _, labels, counts = np.unique(points, axis=0, return_inverse=True, return_counts=True)
        return labels.ravel() == int(np.argmax(counts))
    bins = np.unique(np.round(points / bandwidth), axis=0)
    seeds = points if len(bins) == n else bins * bandwidth
    intensity = {}
    for seed in seeds:
        centre = seed
        for iteration in range(301):
            within = points[np.linalg.norm(points - centre, axis=1) <= bandwidth]
            if len(within) == 0:
                break
            old, centre = centre, within.mean(axis=0)
            if np.linalg.norm(centre - old) <= 1e-3 * bandwidth or iteration == 300:
                break
        if len(within):
            intensity[tuple(centre)] = len(within)
    ranked = sorted(intensity.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
    centres = np.array([c for c, _ in ranked])
    unique = np.ones(len(centres), bool)
    for i in range(len(centres)):
        if unique[i]:
            near = np.linalg.norm(centres - centres[i], axis=1) <= bandwidth
            near[i] = False
            unique &= ~near
    centres = centres[unique]
    to_centres = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=2)
    labels = np.where(to_centres.min(axis=1) <= bandwidth, to_centres.argmin(axis=1), -1)
    if not (labels >= 0).any():
        return np.ones(n, bool)
    return labels == int(np.argmax(np.bincount(labels[labels >= 0])))


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


# ---------------------------------------------------------------- rules added in 0.4


def rfa(x, f, rng, T=8, nu=0.1):
    """Exactly T smoothed Weiszfeld steps from the origin, absolute smoothing nu (He et al.'s RFA(T=8))."""
    z = np.zeros(x.shape[1], np.float32)
    for _ in range(T):
        z = weighted_mean(1.0 / np.maximum(nu, row_norms(x - z)), x)
    return z


def monna(x, f, rng, pivot=0):
    """Mean of the n - f inputs nearest the pivot (itself included), distances from one Gram row."""
    n = x.shape[0]
    sq = np.einsum("ij,ij->i", x, x).astype(np.float64)
    d2 = sq - 2.0 * (x @ x[pivot]).astype(np.float64) + sq[pivot]
    d2[pivot] = -np.inf
    return x[np.argsort(d2, kind="stable")[: n - f]].mean(axis=0)


def caf(x, f, rng):
    """
    Covariance-bound agnostic filter on the Gram matrix: each round the top eigenpair of
    W^1/2 G W^1/2 (np.linalg.eigh), tau_i = ((x_i - mu)·v)^2, c_i *= 1 - tau_i / tau_max, until
    sum(c) <= n - 2f; the weighted mean of the round with the smallest top eigenvalue.
    """
    n = x.shape[0]
    d2 = squared_distances(x)
    c = np.ones(n)
    best, best_lambda = c.copy(), np.inf
    while c.sum() > n - 2 * f:
        kept = np.flatnonzero(c > 0)
        w = c[kept] / c.sum()
        sub = d2[np.ix_(kept, kept)]
        a = sub @ w
        gram = 0.5 * (a[:, None] + a[None, :] - w @ a - sub)
        root = np.sqrt(w)
        lam, u = top_eigenpair(root[:, None] * gram * root[None, :])
        if lam < best_lambda:
            best, best_lambda = c.copy(), lam
        if not lam > 0:
            break
        tau = (gram @ (root * u)) ** 2 / lam
        if not tau.max() > 0:
            break
        c[kept] *= 1.0 - tau / tau.max()
    return weighted_mean(best, x)


def smea(x, f, rng):
    """
    Mean of the n - f inputs whose covariance has the smallest top eigenvalue, by exhaustive
    search: the centred Gram matrices of all C(n, f) subsets from one distance matrix, their
    top eigenvalues by one batched np.linalg.eigvalsh.
    """
    n = x.shape[0]
    d2 = squared_distances(x)
    subsets = np.array(list(itertools.combinations(range(n), n - f)))
    sub = d2[subsets[:, :, None], subsets[:, None, :]]
    r = sub.mean(axis=2)
    centred = -0.5 * (sub - r[:, :, None] - r[:, None, :] + r.mean(axis=1)[:, None, None])
    top = np.linalg.eigvalsh(centred)[:, -1]
    return x[subsets[int(np.argmin(top))]].mean(axis=0)


def dnc(x, f, rng, b=10000, niters=5, c=1.0):
    """
    Divide-and-Conquer: per iteration b coordinates drawn by NumPy's generator (all of them,
    once, when b >= d), scores (x̃_i·v)^2 along the top singular vector of the centred rows
    (from the n x n Gram matrix: lambda·u_i^2), the n - floor(c·f) lowest kept; the mean of
    the inputs kept in every iteration (in the most iterations if none is kept in all).
    """
    n, d = x.shape
    keep = n - math.floor(c * f)
    draws = [np.arange(d)] if b >= d else [np.sort(rng.choice(d, b, replace=False)) for _ in range(niters)]
    count = np.zeros(n, int)
    for coords in draws:
        sub = x[:, coords]
        centred = sub - sub.mean(axis=0)
        lam, u = top_eigenpair((centred @ centred.T).astype(np.float64))
        count[np.argsort(lam * u * u, kind="stable")[:keep]] += 1
    return x[count == count.max()].mean(axis=0)


def signguard(x, f, rng, lower=0.1, upper=3.0, fraction=0.1):
    """
    SignGuard: norms within (lower, upper) x their median, intersected with the largest
    mean-shift cluster of the sign statistics over one random block of floor(fraction·d)
    coordinates; the kept inputs clipped to the median norm, averaged (0 if none is kept).
    """
    n, d = x.shape
    length = max(1, int(fraction * d))
    start = int(rng.integers(0, d - length + 1)) if length < d else 0
    norms = row_norms(x)
    middle = np.median(norms)
    by_norm = (norms > lower * middle) & (norms < upper * middle)
    block = x[:, start : start + length]
    stats = np.stack([(block > 0).sum(axis=1), (block == 0).sum(axis=1), (block < 0).sum(axis=1)], axis=1) / length
    stats = stats / (stats.max(axis=0) + 1e-8)
    selected = np.flatnonzero(by_norm & mean_shift_largest(stats))
    if len(selected) == 0:
        return np.zeros(d, np.float32)
    scale = np.minimum(1.0, middle / norms[selected])
    return (scale / len(selected)).astype(np.float32) @ x[selected]


def flame(x, f, rng, lam=0.001):
    """
    FLAME: the majority HDBSCAN cluster (min_cluster_size = n//2 + 1, min_samples = 1) of the
    cosine distances, clipped to the median norm, averaged, plus N(0, (lam·median norm)^2)
    noise from NumPy's generator.
    """
    d = x.shape[1]
    gram = (x @ x.T).astype(np.float64)
    norms = np.sqrt(np.diag(gram))
    members = hdbscan_majority(np.minimum(2.0, cosine_distances(gram)))
    middle = np.median(norms)
    scale = np.minimum(1.0, middle / norms[members])
    out = (scale / len(members)).astype(np.float32) @ x[members]
    if lam > 0:
        out += (lam * middle * rng.standard_normal(d)).astype(np.float32)
    return out


def clustering(x, f, rng):
    """Mean of the larger of two average-linkage agglomerative clusters by cosine distance (from the Gram matrix)."""
    gram = (x @ x.T).astype(np.float64)
    return x[larger_agglomerative_cluster(cosine_distances(gram))].mean(axis=0)


def make_clippedclustering():
    """
    Clippedclustering: inputs clipped to the median of every norm seen so far (this call's
    included), then the mean of the larger cosine cluster's clipped inputs. Stateful, as
    byzsim's instance is timed: the norms accumulate over calls.
    """
    state = {"norms": np.empty(0), "d": None}

    def clippedclustering(x, f, rng):
        if state["d"] != x.shape[1]:
            state["norms"], state["d"] = np.empty(0), x.shape[1]
        gram = (x @ x.T).astype(np.float64)
        norms = np.sqrt(np.diag(gram))
        state["norms"] = np.concatenate([state["norms"], norms])
        tau = np.median(state["norms"])
        kept = larger_agglomerative_cluster(cosine_distances(gram))
        scale = np.minimum(1.0, tau / norms[kept])
        return (scale / len(kept)).astype(np.float32) @ x[kept]

    return clippedclustering


def make_foolsgold(kappa=1.0):
    """
    FoolsGold (Fung et al., Algorithm 1): float64 per-worker histories H += x kept across
    calls, as byzsim's instance is timed; cosines of the histories from their Gram matrix,
    pardoning, the logit; the weighted mean of this call's inputs.
    """
    state = {"H": None}

    def foolsgold(x, f, rng):
        H = state["H"]
        if H is None or H.shape != x.shape:
            H = state["H"] = np.zeros(x.shape)
        H += x
        cs = 1.0 - cosine_distances(H @ H.T)
        np.fill_diagonal(cs, 0.0)
        v = np.maximum(cs.max(axis=1), 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            pardoned = np.where(v[None, :] > v[:, None], cs * v[:, None] / v[None, :], cs)
            np.fill_diagonal(pardoned, 0.0)
            alpha = np.clip(1.0 - pardoned.max(axis=1), 0.0, 1.0)
            if alpha.max() == 0:
                return x.mean(axis=0)
            r = alpha / alpha.max()
            r[r == 1] = 0.99
            w = np.clip(kappa * (np.log(r / (1.0 - r)) + 0.5), 0.0, 1.0)
        return weighted_mean(w, x)

    return foolsgold


def fltrust(x, f, rng):
    """FLTrust with the first input standing in for the server's trusted gradient g0, as bench/agg.ts times it."""
    g0 = x[0]
    g_norm = float(np.linalg.norm(g0))
    norms = row_norms(x)
    scores = np.maximum((x @ g0).astype(np.float64) / (norms * g_norm), 0.0)
    if not scores.sum() > 0:
        return np.zeros(x.shape[1], np.float32)
    return ((scores * g_norm / norms) / scores.sum()).astype(np.float32) @ x


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
    "rfa": rfa,
    "monna": monna,
    "caf": caf,
    "smea": smea,
    "dnc": dnc,
    "signguard": signguard,
    "flame": flame,
    "clustering": clustering,
    "clippedclustering": make_clippedclustering(),
    "foolsgold": make_foolsgold(),
    "fltrust": fltrust,
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
    "smea": (lambda n, f: n >= 2 * f + 1 and math.comb(n, f) <= 100_000, "n >= 2f + 1 and C(n, f) <= 100000"),
    "foolsgold": (lambda n, f: n >= f + 1, "n >= f + 1"),
    "fltrust": (lambda n, f: n >= 1, "n >= 1"),
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
