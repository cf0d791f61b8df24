/**
 * Leakage checks of a time-split training set, independent of the join that built it:
 *
 * - {@link splitOverlap}: the train, validation and test parts cover ordered, non-overlapping time ranges and share
 *   no row id (a row in two parts, or test rows older than training rows, would flatter the test figures);
 * - {@link featureTimeCheck}: every stored feature value of a sample of rows comes from a source row whose event time
 *   is at or before the row's own (application) time. For each sampled row and view, the source rows of the same
 *   join keys are searched for the joined values: a match at or before the application time is fine; values found only
 *   in LATER source rows are a leak (the join looked into the future); values found in no source row are reported as
 *   unmatched (e.g. nulls from an expired ttl, which are not leaks).
 *
 * @example
 * ```ts
 * import { featureTimeCheck, splitOverlap } from "./leakage.ts";
 * splitOverlap([{ name: "train", times: [1, 2] }, { name: "test", times: [3, 4] }]).ok; // true
 * ```
 * @module
 */

/** One part of a split: its rows' times (ms since the epoch) and optional ids. */
export interface SplitPart {
  name: string;
  times: readonly number[];
  ids?: readonly unknown[];
}

/** The split check's answer. */
export interface SplitOverlap {
  ok: boolean;
  parts: { part: string; rows: number; from: string; to: string }[];
  problems: string[];
}

const iso = (ms: number) => Number.isFinite(ms) ? new Date(ms).toISOString() : "-";

/**
 * Whether consecutive parts are in time order without overlap (a part may start at the instant the previous ends:
 * rows sharing a timestamp are split by the time split's order) and share no id.
 *
 * @example
 * ```ts
 * splitOverlap([{ name: "train", times: [1, 5] }, { name: "test", times: [3] }]).problems;
 * // ['"test" starts at 1970-01-01T00:00:00.003Z, before "train" ends (1970-01-01T00:00:00.005Z)']
 * ```
 */
export function splitOverlap(parts: readonly SplitPart[]): SplitOverlap {
  const problems: string[] = [];
  const ranges = parts.map((p) => {
    let from = Infinity, to = -Infinity;
    for (const t of p.times) {
      if (t < from) from = t;
      if (t > to) to = t;
    }
    return { from, to };
  });
  for (let k = 1; k < parts.length; k++) {
    if (ranges[k].from < ranges[k - 1].to) {
      problems.push(
        `"${parts[k].name}" starts at ${iso(ranges[k].from)}, before "${parts[k - 1].name}" ends (${
          iso(ranges[k - 1].to)
        })`,
      );
    }
  }
  const seen = new Map<unknown, string>();
  for (const p of parts) {
    for (const id of p.ids ?? []) {
      if (id === null || id === undefined) continue;
      const other = seen.get(id);
      if (other !== undefined && other !== p.name) {
        problems.push(`id ${JSON.stringify(id)} is in both "${other}" and "${p.name}"`);
        break;
      }
      seen.set(id, p.name);
    }
  }
  return {
    ok: problems.length === 0,
    parts: parts.map((p, k) => ({
      part: p.name,
      rows: p.times.length,
      from: iso(ranges[k].from),
      to: iso(ranges[k].to),
    })),
    problems,
  };
}

/** A feature view's source rows, for {@link featureTimeCheck}. */
export interface SourceRows {
  view: string;
  joinKeys: readonly string[];
  features: readonly string[];
  /** Source rows: the join keys, the features (names after mapping) and `time` in ms. */
  rows: readonly Record<string, unknown>[];
}

/** One view's answer. */
export interface FeatureTimeResult {
  view: string;
  checked: number;
  /** Joined values found in a source row at or before the application time. */
  at_or_before: number;
  /** Joined values found only in source rows after the application time: leaks. */
  leaks: number;
  /** All-null or unmatched joined values (no source row of the keys holds them). */
  unmatched: number;
  /** The largest feature time minus application time among the rows used (≤ 0 when no leak), in days. */
  worst_lead_days: number | null;
}

const same = (a: unknown, b: unknown) =>
  a === b || (typeof a === "bigint" || typeof b === "bigint" ? Number(a) === Number(b) : false) ||
  (typeof a === "number" && typeof b === "number" && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a)));

/**
 * Checks where each sampled row's joined feature values come from (see the module doc).
 *
 * @example
 * ```ts
 * featureTimeCheck([{ time: 10, id: 1, x: 5 }], [{ view: "v", joinKeys: ["id"], features: ["x"], rows: [{ id: 1, x: 5, time: 8 }] }]);
 * // [{ view: "v", checked: 1, at_or_before: 1, leaks: 0, unmatched: 0, worst_lead_days: -0.0000000231... }]
 * ```
 */
export function featureTimeCheck(
  rows: readonly (Record<string, unknown> & { time: number })[],
  sources: readonly SourceRows[],
): FeatureTimeResult[] {
  return sources.map((s) => {
    const byKey = new Map<string, Record<string, unknown>[]>();
    for (const r of s.rows) {
      const k = JSON.stringify(s.joinKeys.map((j) => String(r[j])));
      const list = byKey.get(k);
      if (list) list.push(r);
      else byKey.set(k, [r]);
    }
    const out: FeatureTimeResult = {
      view: s.view,
      checked: 0,
      at_or_before: 0,
      leaks: 0,
      unmatched: 0,
      worst_lead_days: null,
    };
    for (const row of rows) {
      out.checked++;
      if (s.features.every((f) => row[f] === null || row[f] === undefined)) {
        out.unmatched++;
        continue;
      }
      const candidates = byKey.get(JSON.stringify(s.joinKeys.map((j) => String(row[j])))) ?? [];
      const matching = candidates.filter((c) => s.features.every((f) => same(c[f], row[f])));
      const before = matching.filter((c) => (c.time as number) <= row.time);
      if (before.length) {
        out.at_or_before++;
        const lead = (Math.max(...before.map((c) => c.time as number)) - row.time) / 86_400_000;
        out.worst_lead_days = out.worst_lead_days === null ? lead : Math.max(out.worst_lead_days, lead);
      } else if (matching.length) {
        out.leaks++;
        const lead = (Math.min(...matching.map((c) => c.time as number)) - row.time) / 86_400_000;
        out.worst_lead_days = out.worst_lead_days === null ? lead : Math.max(out.worst_lead_days, lead);
      } else out.unmatched++;
    }
    return out;
  });
}
