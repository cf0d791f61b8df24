/**
 * The point-in-time match at the heart of historical retrieval, on typed arrays only.
 *
 * For each entity row: among the feature rows with the same key code, the one with the largest event timestamp
 * that is <= the entity row's timestamp and >= that timestamp minus the ttl (both bounds inclusive; ttl 0 = no
 * lower bound); among equal event timestamps, the one with the largest created timestamp (a missing created
 * timestamp counts as the smallest). Feature rows with a null key or null event timestamp never match.
 *
 * Feature rows are grouped by key code with a counting sort, each group sorted by (event, created) — groups are
 * small (a person's snapshots) — and every entity row binary-searches its group: O(n + m log g) with no per-row
 * object.
 *
 * @example
 * ```ts
 * import { pointInTimeMatch } from "./pit_match.ts";
 * const idx = pointInTimeMatch({
 *   entityCodes: Int32Array.from([0]), entityTs: Float64Array.from([100]),
 *   featureCodes: Int32Array.from([0, 0]), featureTs: Float64Array.from([50, 90]), numCodes: 1,
 * }); // Int32Array [1]
 * ```
 * @module
 */

/** Inputs of {@link pointInTimeMatch}; timestamps are microseconds (NaN = null). */
export interface PitMatchInput {
  entityCodes: Int32Array;
  entityTs: Float64Array;
  featureCodes: Int32Array;
  featureTs: Float64Array;
  featureCreated?: Float64Array;
  /** Number of distinct key codes (codes are 0..numCodes-1). */
  numCodes: number;
  /** Lower bound window in microseconds; 0 or undefined = none. */
  ttlMicros?: number;
}

/** Feature rows grouped by key code, each group in (event, created) order. */
export interface FeatureIndex {
  offsets: Int32Array;
  order: Int32Array;
  ts: Float64Array;
}

/** Groups and sorts feature rows by key code (see the module doc). */
export function indexFeatures(
  codes: Int32Array,
  ts: Float64Array,
  created: Float64Array | undefined,
  numCodes: number,
): FeatureIndex {
  const offsets = new Int32Array(numCodes + 1);
  const m = codes.length;
  for (let r = 0; r < m; r++) {
    const c = codes[r];
    if (c >= 0 && ts[r] === ts[r]) offsets[c + 1]++;
  }
  for (let c = 0; c < numCodes; c++) offsets[c + 1] += offsets[c];
  const fill = offsets.slice(0, numCodes);
  const order = new Int32Array(offsets[numCodes]);
  for (let r = 0; r < m; r++) {
    const c = codes[r];
    if (c >= 0 && ts[r] === ts[r]) order[fill[c]++] = r;
  }
  const cr = created ?? null;
  const less = (a: number, b: number) => {
    if (ts[a] !== ts[b]) return ts[a] < ts[b];
    if (!cr) return a < b;
    const ca = cr[a] === cr[a] ? cr[a] : -Infinity, cb = cr[b] === cr[b] ? cr[b] : -Infinity;
    return ca !== cb ? ca < cb : a < b;
  };
  for (let c = 0; c < numCodes; c++) {
    const lo = offsets[c], hi = offsets[c + 1];
    if (hi - lo < 2) continue;
    if (hi - lo <= 32) {
      for (let i = lo + 1; i < hi; i++) {
        const v = order[i];
        let j = i - 1;
        while (j >= lo && less(v, order[j])) {
          order[j + 1] = order[j];
          j--;
        }
        order[j + 1] = v;
      }
    } else {
      const group = Array.from(order.subarray(lo, hi));
      group.sort((a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0));
      order.set(group, lo);
    }
  }
  return { offsets, order, ts };
}

/**
 * Returns, per entity row, the index of the matching feature row or -1.
 */
export function pointInTimeMatch(input: PitMatchInput): Int32Array {
  const index = indexFeatures(input.featureCodes, input.featureTs, input.featureCreated, input.numCodes);
  return matchWithIndex(index, input.entityCodes, input.entityTs, input.ttlMicros ?? 0);
}

/** Matches entity rows against a prebuilt {@link FeatureIndex}. */
export function matchWithIndex(
  index: FeatureIndex,
  entityCodes: Int32Array,
  entityTs: Float64Array,
  ttlMicros: number,
): Int32Array {
  const { offsets, order, ts } = index;
  const n = entityCodes.length;
  const out = new Int32Array(n);
  const numCodes = offsets.length - 1;
  for (let i = 0; i < n; i++) {
    const c = entityCodes[i];
    const t = entityTs[i];
    if (c < 0 || c >= numCodes || t !== t) {
      out[i] = -1;
      continue;
    }
    let lo = offsets[c], hi = offsets[c + 1];
    // last position with ts <= t
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[order[mid]] <= t) lo = mid + 1;
      else hi = mid;
    }
    if (lo === offsets[c]) {
      out[i] = -1;
      continue;
    }
    const r = order[lo - 1];
    out[i] = ttlMicros > 0 && ts[r] < t - ttlMicros ? -1 : r;
  }
  return out;
}
