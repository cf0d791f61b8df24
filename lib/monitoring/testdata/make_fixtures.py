#!/usr/bin/env python3
"""Reference values for lib/monitoring's statistics, computed with scipy and numpy.

Writes lib/monitoring/testdata/scipy_fixtures.json next to this script. The TypeScript tests
(lib/monitoring/*_test.ts) recompute every case and compare within 1e-9 relative.

    /usr/bin/python3 lib/monitoring/testdata/make_fixtures.py          # Debian's python3-scipy (the committed file)
    python3 lib/monitoring/testdata/make_fixtures.py --check           # any other scipy: compare with the file
    deno fmt lib/monitoring/testdata/scipy_fixtures.json                # after regenerating

Large samples are not stored: they come from a tiny integer hash that the tests reproduce exactly (only +, *,
xor, shifts and one division by 2**32, so both languages get the same doubles). Cases cover ties, unequal sizes,
zero variance, categories missing on one side, and each branch scipy takes for the KS p-value (exact square,
exact inside method, asymptotic kstwo with its DMTW, Pelz-Good, Pomeranz and Smirnov regimes).
"""

import json
import math
import os
import sys

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance

MASK = 0xFFFFFFFF
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "scipy_fixtures.json")


def hash_u01(idx, seed):
    """Uniforms in [0, 1) from row indices; the TS twin is `hashU01` in lib/monitoring/testdata/gen.ts."""
    h = (idx.astype(np.uint64) * np.uint64(2654435761) + np.uint64((seed * 40503) & MASK)) & np.uint64(MASK)
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(0x2C1B3C6D)) & np.uint64(MASK)
    h ^= h >> np.uint64(12)
    h = (h * np.uint64(0x297A2D39)) & np.uint64(MASK)
    h ^= h >> np.uint64(15)
    return h.astype(np.float64) / 4294967296.0


def generate(spec):
    """Sample from a spec: {gen: "irwin"|"int", n, seed, scale, shift}."""
    n, seed = spec["n"], spec["seed"]
    if spec["gen"] == "irwin":  # sum of three uniforms: bell-shaped, no ties in practice
        i = np.arange(n, dtype=np.uint64) * np.uint64(3)
        a = hash_u01(i, seed)
        b = hash_u01(i + np.uint64(1), seed)
        c = hash_u01(i + np.uint64(2), seed)
        return (a + b + c - 1.5) * spec["scale"] + spec["shift"]
    if spec["gen"] == "int":  # integers 0..scale-1 plus shift: many ties
        u = hash_u01(np.arange(n, dtype=np.uint64), seed)
        return np.floor(u * spec["scale"]) + spec["shift"]
    raise ValueError(f"unknown generator {spec['gen']!r}")


def sample(case_value):
    return np.asarray(case_value, dtype=np.float64) if isinstance(case_value, list) else generate(case_value)


def num(x):
    """JSON-safe float: inf and nan as strings."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def irwin(n, seed, scale=1.0, shift=0.0):
    return {"gen": "irwin", "n": n, "seed": seed, "scale": scale, "shift": shift}


def ints(n, seed, scale, shift=0.0):
    return {"gen": "int", "n": n, "seed": seed, "scale": scale, "shift": shift}


KS_CASES = [
    ("equal sizes, exact square", [0.1, 0.5, 0.9, 1.3, 2.0, 2.2, 3.1, 4.0], [0.3, 0.35, 1.0, 2.5, 2.6, 3.3, 5.0, 6.0]),
    ("ties across samples", [1, 1, 2, 2, 2, 3, 4, 4, 5, 5], [2, 2, 3, 3, 3, 4, 6, 6, 6, 7, 7, 8, 8]),
    ("unequal small sizes", [0.2, 0.4, 0.45, 0.9, 1.7], [0.0, 0.1, 0.3, 0.35, 0.5, 0.6, 0.65, 0.8, 1.1, 1.2, 1.25, 1.9]),
    ("one value against many", [0.5], irwin(50, 3)),
    ("identical samples", [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]),
    ("disjoint samples", [1.0, 2.0, 3.0], [10.0, 11.0, 12.0, 13.0]),
    ("exact 500 vs 700, small shift", irwin(500, 11), irwin(700, 12, 1.0, 0.05)),
    ("exact 300 vs 400 integers (ties)", ints(300, 13, 20), ints(400, 14, 20, 1)),
    ("exact 1000 vs 10000 (largest exact)", irwin(1000, 15), irwin(10000, 16, 1.0, 0.02)),
    ("exact 2000 vs 2000 equal sizes", irwin(2000, 17), irwin(2000, 18, 1.1, 0.0)),
    ("asymptotic 1000 vs 10001", irwin(1000, 19), irwin(10001, 20, 1.0, 0.03)),
    ("asymptotic 20000 vs 30000, small shift", irwin(20000, 21), irwin(30000, 22, 1.0, 0.01)),
    ("asymptotic 20000 vs 30000, large shift", irwin(20000, 23), irwin(30000, 24, 1.0, 0.08)),
    ("asymptotic 300000 vs 300000, tiny shift", irwin(300000, 25), irwin(300000, 26, 1.0, 0.002)),
    ("asymptotic 300000 vs 300000, shift", irwin(300000, 27), irwin(300000, 28, 1.0, 0.01)),
    ("asymptotic 20000 vs 100 (small effective n)", irwin(20000, 29), irwin(100, 30, 1.0, 0.1)),
    ("asymptotic 50000 vs 60 (Pomeranz region)", irwin(50000, 31), irwin(60, 32, 1.0, 0.25)),
    ("asymptotic 1000000 vs 1000000", irwin(1000000, 33), irwin(1000000, 34, 1.0, 0.003)),
    ("asymptotic integers 40000 vs 50000 (ties)", ints(40000, 35, 12), ints(50000, 36, 12)),
]

# (n, d) points that drive scipy.stats.kstwo.sf through each of its branches
KSTWO_POINTS = [
    (1, 0.7), (2, 0.3), (5, 0.15), (5, 0.55), (10, 0.08), (10, 0.3), (10, 0.95), (30, 0.1), (30, 0.2), (30, 0.45),
    (100, 0.05), (100, 0.12), (100, 0.3), (140, 0.02), (140, 0.06), (140, 0.2), (141, 0.05), (141, 0.15),
    (500, 0.01), (500, 0.04), (500, 0.08), (1000, 0.002), (1000, 0.03), (1000, 0.06), (5000, 0.012), (5000, 0.03),
    (12000, 0.004), (12000, 0.012), (12000, 0.02), (100000, 0.002), (100000, 0.004), (100000, 0.006),
    (100001, 0.003), (150000, 0.002), (150000, 0.004), (150000, 0.01), (500000, 0.0005), (500000, 0.0018),
    (500000, 0.0025), (500000, 0.006), (2000000, 0.0009), (2000000, 0.002), (50, 0.6), (50, 0.985),
]

CHI_CASES = [
    ("three categories", {"a": 500, "b": 300, "c": 200}, {"a": 480, "b": 330, "c": 190}),
    ("unequal totals", {"a": 50, "b": 30, "c": 20, "d": 7}, {"a": 130, "b": 80, "c": 40, "d": 10}),
    ("category missing in current", {"a": 40, "b": 35, "c": 25}, {"a": 60, "b": 40}),
    ("category new in current", {"a": 40, "b": 35}, {"a": 30, "b": 30, "c": 5}),
    ("strong shift", {"x": 900, "y": 50, "z": 50}, {"x": 300, "y": 350, "z": 350}),
]

# (df, x) for chdtrc, the chi-square survival function
CHI2_SF_POINTS = [
    (1, 0.001), (1, 0.5), (1, 3.84), (1, 40.0), (2, 2.0), (2, 100.0), (3, 7.81), (4, 0.3), (5, 11.07), (9, 30.0),
    (10, 5.0), (10, 60.0), (25, 30.0), (49, 70.0), (100, 90.0), (100, 150.0), (399, 400.0), (999, 1100.0),
    (1999, 1900.0), (7, 200.0), (3, 1e-8),
]

Z_CASES = [
    ("binary balanced", {"0": 600, "1": 400}, {"0": 560, "1": 440}),
    ("binary shifted", {"no": 900, "yes": 100}, {"no": 700, "yes": 300}),
    ("same single value", {"a": 20}, {"a": 30}),
    ("one value each, different", {"a": 20}, {"b": 30}),
    ("value missing in current", {"a": 12, "b": 8}, {"a": 25}),
]

NORM_SF_POINTS = [0.0, 0.1, 0.5, 1.0, 1.959964, 2.5, 3.0, 5.0, 8.0, 12.0, 20.0, 30.0]

JS_CASES = [
    ("probabilities", [0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]),
    ("counts, unequal totals", [10, 20, 30], [5, 5, 50]),
    ("zero on one side", [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]),
    ("identical", [0.2, 0.3, 0.5], [0.2, 0.3, 0.5]),
    ("disjoint", [1.0, 0.0], [0.0, 1.0]),
    ("close", [0.3333, 0.3333, 0.3334], [0.3334, 0.3333, 0.3333]),
    ("many bins", [float(i % 7 + 1) for i in range(40)], [float((i * 3) % 11 + 1) for i in range(40)]),
]

JS_BINNED_CASES = [
    ("sturges bins, shift", irwin(5000, 41), irwin(4000, 42, 1.0, 0.1)),
    ("sturges bins, scale", irwin(3000, 43, 2.0, 5.0), irwin(7000, 44, 3.0, 5.0)),
]

WASSERSTEIN_CASES = [
    ("small unequal", [0.0, 1.0, 3.0], [5.0, 6.0, 8.0, 9.0]),
    ("ties", [1, 1, 1, 2, 2, 5], [1, 2, 2, 2, 3]),
    ("identical", [3.0, 1.0, 2.0], [1.0, 2.0, 3.0]),
    ("zero-variance reference", [4.0, 4.0, 4.0, 4.0], [4.0, 4.5, 3.5]),
    ("one value each", [2.0], [7.5]),
    ("generated 5000 vs 8000", irwin(5000, 51), irwin(8000, 52, 1.2, 0.1)),
    ("generated integers 3000 vs 3000", ints(3000, 53, 30), ints(3000, 54, 30, 2)),
    ("generated 200000 vs 150000", irwin(200000, 55, 10.0, 100.0), irwin(150000, 56, 10.0, 100.5)),
]

PSI_BINS = 10
PSI_CASES = [
    ("shift", irwin(10000, 61), irwin(8000, 62, 1.0, 0.2)),
    ("same distribution", irwin(10000, 63), irwin(10000, 64)),
    ("integers with ties", ints(5000, 65, 8), ints(6000, 66, 8, 1)),
    ("current outside the reference range", irwin(2000, 67), irwin(2000, 68, 1.0, 5.0)),
]

PSI_CATEGORICAL_CASES = [
    ("category shares", {"a": 500, "b": 300, "c": 200}, {"a": 400, "b": 300, "c": 300}),
    ("new and missing categories", {"a": 70, "b": 30}, {"a": 50, "c": 50}),
]

QUANTILE_CASES = [
    ("generated", irwin(1001, 71), [0.0, 0.1, 0.25, 0.5, 0.9, 0.99, 1.0]),
    ("ties", ints(997, 72, 5), [0.1, 0.2, 0.3, 0.5, 0.7, 0.95]),
]


def ks_method(n1, n2):
    return "exact" if max(n1, n2) <= 10000 else "asymp"


def feel_zeroes(shares):
    """Evidently's replacement of empty bins: min non-zero / 1e6 when that is <= 1e-4, else 1e-4."""
    shares = shares.copy()
    nonzero = shares[shares != 0]
    eps = nonzero.min() / 10**6 if nonzero.min() <= 0.0001 else 0.0001
    shares[shares == 0] = eps
    return shares


def psi_numeric(ref, cur, bins):
    """PSI on bins from reference quantiles (numpy's default linear interpolation), right-closed, open ends."""
    qs = [i / bins for i in range(1, bins)]
    edges = np.unique(np.quantile(ref, qs))
    ref_counts = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=len(edges) + 1)
    cur_counts = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1)
    r = feel_zeroes(ref_counts / len(ref))
    c = feel_zeroes(cur_counts / len(cur))
    return edges, ref_counts, cur_counts, float(np.sum((c - r) * np.log(c / r)))


def category_arrays(ref, cur):
    keys = sorted(set(ref) | set(cur))
    return keys, np.array([ref.get(k, 0) for k in keys], float), np.array([cur.get(k, 0) for k in keys], float)


def build():
    out = {
        "generated_by": "lib/monitoring/testdata/make_fixtures.py",
        "python": sys.version.split()[0],
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "ks_2samp": [],
        "kstwo_sf": [],
        "chisquare": [],
        "chi2_sf": [],
        "z_test": [],
        "norm_sf": [],
        "jensenshannon": [],
        "jensenshannon_binned": [],
        "wasserstein": [],
        "psi": [],
        "psi_categorical": [],
        "quantile": [],
    }
    for name, a, b in KS_CASES:
        x, y = sample(a), sample(b)
        r = stats.ks_2samp(x, y)  # method="auto"
        out["ks_2samp"].append({
            "name": name, "reference": a, "current": b, "method": ks_method(len(x), len(y)),
            "statistic": num(r.statistic), "pvalue": num(r.pvalue),
        })
    for n, d in KSTWO_POINTS:
        out["kstwo_sf"].append({"n": n, "d": d, "sf": num(stats.kstwo.sf(d, n))})
    for name, ref, cur in CHI_CASES:
        keys, r, c = category_arrays(ref, cur)
        f_exp = r * (c.sum() / r.sum())  # Evidently: reference counts scaled to the current total
        with np.errstate(divide="ignore", invalid="ignore"):
            res = stats.chisquare(c, f_exp)
        out["chisquare"].append({
            "name": name, "reference": ref, "current": cur, "statistic": num(res.statistic), "pvalue": num(res.pvalue),
        })
    for df, x in CHI2_SF_POINTS:
        out["chi2_sf"].append({"df": df, "x": x, "sf": num(special.chdtrc(df, x))})
    for name, ref, cur in Z_CASES:
        keys, r, c = category_arrays(ref, cur)
        if len(keys) == 1:
            z, p = 0.0, 1.0  # Evidently: one equal value on both sides
        else:
            n1, n2 = r.sum(), c.sum()
            p1 = (n1 - r[0]) / n1  # share of "not the first key", as Evidently codes it
            p2 = (n2 - c[0]) / n2
            pp = (p1 * n1 + p2 * n2) / (n1 + n2)
            z = (p1 - p2) / np.sqrt(pp * (1 - pp) * (1.0 / n1 + 1.0 / n2))
            p = 2 * stats.norm.sf(abs(z))  # accurate tail; Evidently writes 2 * (1 - cdf)
        out["z_test"].append({"name": name, "reference": ref, "current": cur, "z": num(z), "pvalue": num(p)})
    for z in NORM_SF_POINTS:
        out["norm_sf"].append({"z": z, "sf": num(stats.norm.sf(z))})
    for name, p, q in JS_CASES:
        out["jensenshannon"].append({"name": name, "p": p, "q": q, "distance": num(distance.jensenshannon(p, q))})
    for name, a, b in JS_BINNED_CASES:
        ref, cur = sample(a), sample(b)
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        rp = np.histogram(ref, edges)[0] / len(ref)
        cp = np.histogram(cur, edges)[0] / len(cur)
        out["jensenshannon_binned"].append({
            "name": name, "reference": a, "current": b, "bins": len(edges) - 1,
            "reference_counts": np.histogram(ref, edges)[0].tolist(), "current_counts": np.histogram(cur, edges)[0].tolist(),
            "distance": num(distance.jensenshannon(rp, cp)),
        })
    for name, a, b in WASSERSTEIN_CASES:
        u, v = sample(a), sample(b)
        out["wasserstein"].append({
            "name": name, "reference": a, "current": b, "distance": num(stats.wasserstein_distance(u, v)),
            "std_reference": num(np.std(u)),
        })
    for name, a, b in PSI_CASES:
        ref, cur = sample(a), sample(b)
        edges, rc, cc, value = psi_numeric(ref, cur, PSI_BINS)
        out["psi"].append({
            "name": name, "reference": a, "current": b, "bins": PSI_BINS, "edges": [num(e) for e in edges],
            "reference_counts": rc.tolist(), "current_counts": cc.tolist(), "psi": num(value),
        })
    for name, ref, cur in PSI_CATEGORICAL_CASES:
        keys, r, c = category_arrays(ref, cur)
        rs, cs = feel_zeroes(r / r.sum()), feel_zeroes(c / c.sum())
        out["psi_categorical"].append({
            "name": name, "reference": ref, "current": cur, "psi": num(np.sum((cs - rs) * np.log(cs / rs))),
        })
    for name, a, qs in QUANTILE_CASES:
        x = sample(a)
        out["quantile"].append({"name": name, "values": a, "q": qs, "quantiles": [num(v) for v in np.quantile(x, qs)]})
    return out


def close(a, b, rtol=1e-12):
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return a == b or abs(a - b) <= rtol * max(abs(a), abs(b))


def compare(old, new, path=""):
    """Yields paths where two fixture trees differ beyond 1e-12 relative."""
    if isinstance(old, dict):
        for k in old:
            if k in ("python", "scipy", "numpy"):
                continue
            yield from compare(old[k], new.get(k), f"{path}.{k}")
    elif isinstance(old, list):
        if not isinstance(new, list) or len(old) != len(new):
            yield path
            return
        for i, (a, b) in enumerate(zip(old, new)):
            yield from compare(a, b, f"{path}[{i}]")
    elif isinstance(old, float) and isinstance(new, (int, float)):
        if not close(old, float(new)):
            yield f"{path}: {old!r} vs {new!r}"
    elif old != new:
        yield f"{path}: {old!r} vs {new!r}"


if __name__ == "__main__":
    fixtures = build()
    if "--check" in sys.argv:
        with open(OUT) as f:
            committed = json.load(f)
        diffs = list(compare(committed, fixtures))
        print(f"scipy {scipy.__version__} vs committed scipy {committed['scipy']}: {len(diffs)} differences > 1e-12")
        for d in diffs:
            print("  " + d)
        sys.exit(1 if diffs else 0)
    with open(OUT, "w") as f:
        json.dump(fixtures, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT} (scipy {scipy.__version__}, numpy {np.__version__})")
