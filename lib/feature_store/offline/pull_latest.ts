/**
 * The latest row per entity key of a feature view within a time window (both bounds inclusive): what
 * materialization writes to the online store. Ties on event timestamp go to the larger created timestamp, then to
 * the later source row, as in the point-in-time join.
 *
 * @example
 * ```ts
 * import { latestPerKey } from "./pull_latest.ts";
 * const latest = latestPerKey(view, sourceTable, { startMicros: 0, endMicros: Date.now() * 1000 });
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import type { FeatureView } from "../definitions.ts";
import { sourceColumn, sourceLocation } from "../definitions.ts";
import { CompositeKeyEncoder, KeyEncoder, timestampMicros } from "./columns.ts";
import { takeVector } from "./take.ts";
import type { PullWindow } from "./store.ts";

/**
 * Source columns a view needs: join keys, event and created timestamps, and the features (all of the view's, or
 * `features`), named as in the source (field mappings undone).
 */
export function viewSourceColumns(view: FeatureView, features?: readonly string[]): string[] {
  const src = view.source;
  const keys = view.entities.flatMap((e) => e.joinKeys).map((k) => sourceColumn(src, k));
  const wanted = (features ?? view.schema.map((f) => f.name)).map((f) => sourceColumn(src, f));
  const stamps = [src.timestampField, ...(src.createdTimestampColumn ? [src.createdTimestampColumn] : [])];
  return [...new Set([...keys, ...stamps, ...wanted])];
}

/**
 * Picks the latest row per key in the window from a source table holding {@link viewSourceColumns}. The result
 * has the join keys and features under their feature names, then `event_timestamp` and (when the source has one)
 * `created_timestamp`, one row per key, in first-seen key order.
 */
export function latestPerKey(view: FeatureView, table: arrow.Table, window: PullWindow): arrow.Table {
  const src = view.source;
  const where = `source "${sourceLocation(src)}" of feature view "${view.name}"`;
  for (const c of viewSourceColumns(view)) {
    if (!table.getChild(c)) throw new Error(`Column "${c}" is missing from ${where}`);
  }
  const joinKeys = view.entities.flatMap((e) => e.joinKeys);
  const parts = joinKeys.map((k) => {
    const col = sourceColumn(src, k);
    return new KeyEncoder().encode(table.getChild(col)!, { insert: true, column: col });
  });
  const codes = new CompositeKeyEncoder().combine(parts, { insert: true });
  const ts = timestampMicros(table.getChild(src.timestampField)!, src.timestampField).micros;
  const created = src.createdTimestampColumn
    ? timestampMicros(table.getChild(src.createdTimestampColumn)!, src.createdTimestampColumn).micros
    : null;
  let numCodes = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] >= numCodes) numCodes = codes[i] + 1;
  const best = new Int32Array(numCodes).fill(-1);
  const { startMicros, endMicros } = window;
  for (let r = 0; r < codes.length; r++) {
    const c = codes[r];
    const t = ts[r];
    if (c < 0 || !(t >= startMicros && t <= endMicros)) continue;
    const b = best[c];
    if (b < 0 || t > ts[b]) {
      best[c] = r;
      continue;
    }
    if (t === ts[b]) {
      const cr = created ? (created[r] === created[r] ? created[r] : -Infinity) : 0;
      const cb = created ? (created[b] === created[b] ? created[b] : -Infinity) : 0;
      if (cr >= cb) best[c] = r;
    }
  }
  let kept = 0;
  for (let c = 0; c < numCodes; c++) if (best[c] >= 0) kept++;
  const rows = new Int32Array(kept);
  for (let c = 0, k = 0; c < numCodes; c++) if (best[c] >= 0) rows[k++] = best[c];
  const columns: Record<string, arrow.Vector> = {};
  for (const k of joinKeys) columns[k] = takeVector(table.getChild(sourceColumn(src, k))!, rows);
  for (const f of view.schema) columns[f.name] = takeVector(table.getChild(sourceColumn(src, f.name))!, rows);
  columns.event_timestamp = takeVector(table.getChild(src.timestampField)!, rows);
  if (src.createdTimestampColumn) {
    columns.created_timestamp = takeVector(table.getChild(src.createdTimestampColumn)!, rows);
  }
  return new arrow.Table(columns);
}
