/**
 * Splitting a table by time for drift reports: the oldest rows as the reference, the newest as the current data
 * (e.g. training loans against the latest applications).
 *
 * @example
 * ```ts
 * import { splitByTime } from "./split.ts";
 * import { readTable } from "../io/mod.ts";
 * const { older, newer, cutoff } = splitByTime(await readTable("data/generated/training_set.parquet"), {
 *   column: "event_timestamp", newestShare: 0.2,
 * });
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { microsToIso, timestampMicros } from "../io/mod.ts";
import { takeVector } from "../feature_store/offline/take.ts";

/**
 * Rows ordered by the timestamp column, cut so that `newestShare` of them (rounded) are in `newer`, or, with `from`,
 * so that the rows at or after that time are; rows with a null time go to `older`. `cutoff` is the first newer row's
 * time (ISO).
 *
 * @example
 * ```ts
 * import { splitByTime } from "./split.ts";
 * // const { older, newer } = splitByTime(table, { column: "event_timestamp", newestShare: 0.2 });
 * // const { older, newer } = splitByTime(table, { column: "event_timestamp", from: "2021-09-01T00:00:00Z" });
 * ```
 */
export function splitByTime(
  table: arrow.Table,
  opts: { column: string; newestShare: number; from?: undefined } | { column: string; from: string | Date },
): { older: arrow.Table; newer: arrow.Table; cutoff: string | null } {
  const vector = table.getChild(opts.column);
  if (!vector) throw new Error(`Column "${opts.column}" is not in the table`);
  let fromUs: bigint | null = null;
  if (opts.from !== undefined) {
    const ms = opts.from instanceof Date ? opts.from.getTime() : Date.parse(opts.from);
    if (!Number.isFinite(ms)) throw new Error(`Split time "${String(opts.from)}" is not a valid time`);
    fromUs = BigInt(ms) * 1000n;
  } else if (!("newestShare" in opts && opts.newestShare > 0 && opts.newestShare < 1)) {
    throw new Error(`Newest share ${(opts as { newestShare: number }).newestShare} must be between 0 and 1`);
  }
  const micros = timestampMicros(vector);
  const n = table.numRows;
  const order = Array.from({ length: n }, (_, i) => i);
  const key = (i: number) => (vector.isValid(i) ? micros[i] : -(2n ** 62n));
  order.sort((a, b) => {
    const ka = key(a), kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : a - b;
  });
  let cut: number;
  if (fromUs !== null) {
    cut = 0;
    while (cut < n && key(order[cut]) < fromUs) cut++;
  } else cut = n - Math.round(n * (opts as { newestShare: number }).newestShare);
  const pick = (idx: number[]) => {
    if (idx.length === 0) return table.slice(0, 0);
    const indices = Int32Array.from(idx);
    const cols: Record<string, arrow.Vector> = {};
    for (const f of table.schema.fields) cols[f.name] = takeVector(table.getChild(f.name)!, indices);
    return new arrow.Table(new arrow.Schema(table.schema.fields, table.schema.metadata), cols);
  };
  return {
    older: pick(order.slice(0, cut)),
    newer: pick(order.slice(cut)),
    cutoff: cut < n && vector.isValid(order[cut]) ? microsToIso(micros[order[cut]]) : null,
  };
}
