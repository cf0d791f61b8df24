/**
 * A slow, obviously correct point-in-time join for differential tests: plain loops over row objects, exact
 * BigInt microseconds, no indexes. Not for production use.
 *
 * @example
 * ```ts
 * import { referencePitJoin } from "./pit_reference.ts";
 * const rows = referencePitJoin({ entities, entityTs: "event_timestamp", views: [{ ... }] });
 * ```
 * @module
 */
import * as arrow from "apache-arrow";

/** One view for the reference join. */
export interface ReferenceView {
  table: arrow.Table;
  /** Pairs [entity column, source column]. */
  keys: [string, string][];
  ts: string;
  created?: string;
  /** Pairs [output name, source column]. */
  features: [string, string][];
  /** ttl in microseconds (0 = none). */
  ttlMicros: bigint;
}

/** Exact µs of row `i` of a timestamp column, or null. */
export function exactMicros(vector: arrow.Vector, i: number): bigint | null {
  if (!vector.isValid(i)) return null;
  let row = i;
  for (const data of vector.data) {
    if (row < data.length) {
      const raw = (data.values as unknown as BigInt64Array)[row];
      const unit = (vector.type as arrow.Timestamp).unit;
      const scale = [1_000_000n, 1_000n, 1n, 1n][unit];
      return unit === arrow.TimeUnit.NANOSECOND ? raw / 1000n : raw * scale;
    }
    row -= data.length;
  }
  return null;
}

function keyValue(vector: arrow.Vector, i: number): string | null {
  const v = vector.get(i);
  return v === null || v === undefined ? null : String(v);
}

/** Joins as the module doc says; returns one object per entity row: entity columns then features. */
export function referencePitJoin(opts: {
  entities: arrow.Table;
  entityTs: string;
  views: ReferenceView[];
}): Record<string, unknown>[] {
  const { entities } = opts;
  const out: Record<string, unknown>[] = [];
  const ets = entities.getChild(opts.entityTs)!;
  for (let i = 0; i < entities.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (const f of entities.schema.fields) row[f.name] = entities.getChild(f.name)!.get(i);
    const t = exactMicros(ets, i)!;
    for (const view of opts.views) {
      let best = -1;
      let bestTs = 0n, bestCreated: bigint | null = null;
      for (let r = 0; r < view.table.numRows; r++) {
        const same = view.keys.every(([ek, sk]) => {
          const a = keyValue(entities.getChild(ek)!, i), b = keyValue(view.table.getChild(sk)!, r);
          return a !== null && b !== null && a === b;
        });
        if (!same) continue;
        const ft = exactMicros(view.table.getChild(view.ts)!, r);
        if (ft === null || ft > t) continue;
        if (view.ttlMicros > 0n && ft < t - view.ttlMicros) continue;
        const fc = view.created ? exactMicros(view.table.getChild(view.created)!, r) : null;
        const better = best < 0 || ft > bestTs ||
          (ft === bestTs && ((fc ?? -(2n ** 63n)) > (bestCreated ?? -(2n ** 63n)) ||
            (fc ?? -(2n ** 63n)) === (bestCreated ?? -(2n ** 63n))));
        if (better) [best, bestTs, bestCreated] = [r, ft, fc];
      }
      for (const [name, col] of view.features) row[name] = best < 0 ? null : view.table.getChild(col)!.get(best);
    }
    out.push(row);
  }
  return out;
}
