/**
 * Stored features for batches of applications, three ways:
 *
 * - {@link offlineJoiner}: point-in-time correct, as of each application's own timestamp (or a fixed `asOf`), with
 *   the local engine's sources loaded and indexed once ({@link prepareHistoricalJoin}) and every batch looked up
 *   against that index;
 * - {@link storeJoiner}: the same through any offline store (e.g. Redshift), one historical query per batch;
 * - {@link onlineJoiner}: the latest values from the online store (statuses other than PRESENT give nulls, so a
 *   value past its view's ttl is never used), in chunks.
 *
 * Values come back as the model reads them: numbers as Float64 (NaN = missing) and texts dictionary-coded.
 *
 * @example
 * ```ts
 * import { offlineJoiner } from "./features.ts";
 * const features = await offlineJoiner(repo, ["credit_history:missed_payments_6m"]);
 * const { numbers } = await features.join({ dob_ssn: batch.getChild("dob_ssn")! }, timestamps);
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import type { FeatureRepo } from "../feature_store/definitions.ts";
import {
  type HistoricalOptions,
  type PreparedJoin,
  prepareHistoricalJoin,
} from "../feature_store/offline/historical.ts";
import type { OfflineStore } from "../feature_store/offline/store.ts";
import { KeyEncoder } from "../feature_store/offline/columns.ts";
import type { OnlineFeaturesRequest, OnlineFeaturesResult } from "../feature_store/online/get_online_features.ts";
import { timestampVector } from "../io/mod.ts";
import type { TextColumn } from "../model/batch_scorer.ts";

/** Feature values of a batch, by feature name. */
export interface FeatureColumns {
  numbers: Record<string, Float64Array>;
  texts: Record<string, TextColumn>;
}

/** Where a batch's features come from. */
export interface FeatureJoiner {
  /** "offline" (point in time) or "online" (latest). */
  readonly mode: "offline" | "online";
  /** `view:feature` references. */
  readonly refs: readonly string[];
  /** Output names of the features (the model's column names). */
  readonly names: readonly string[];
  /** Input columns the lookup needs (join keys). */
  readonly keyColumns: readonly string[];
  /** Features of `rows` entity rows: key columns by name and each row's time in µs. */
  join(keys: Record<string, arrow.Vector>, timestamps: Float64Array): Promise<FeatureColumns>;
  /** Releases what the joiner holds. */
  close(): Promise<void>;
}

interface Chunked {
  starts: Int32Array;
  data: readonly arrow.Data[];
}

function chunksOf(vector: arrow.Vector): Chunked {
  const starts = new Int32Array(vector.data.length + 1);
  vector.data.forEach((d, i) => (starts[i + 1] = starts[i] + d.length));
  return { starts, data: vector.data };
}

function chunkAt(c: Chunked, index: number): number {
  let lo = 0, hi = c.data.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (c.starts[mid] <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where each index lives: its chunk (null when there is one chunk) and row in that chunk (-1 = missing). */
export interface ChunkPlan {
  chunk: Int32Array | null;
  row: Int32Array;
}

/**
 * The chunk and row of each index in a chunked column (shared by the columns of one table: same chunk layout).
 *
 * @example
 * ```ts
 * chunkPlan(column, Int32Array.of(5, -1)); // { chunk: null, row: Int32Array [5, -1] } for a one-chunk column
 * ```
 */
export function chunkPlan(column: arrow.Vector, indices: Int32Array): ChunkPlan {
  const c = chunksOf(column);
  if (c.data.length === 1) return { chunk: null, row: indices };
  const chunk = new Int32Array(indices.length);
  const row = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const idx = indices[i];
    if (idx < 0) {
      row[i] = -1;
      continue;
    }
    const k = chunkAt(c, idx);
    chunk[i] = k;
    row[i] = idx - c.starts[k];
  }
  return { chunk, row };
}

/**
 * Numbers of `column` at `indices` (-1 = missing -> NaN), read from the buffers of whatever chunk holds each row.
 *
 * @example
 * ```ts
 * gatherNumbers(arrow.vectorFromArray([10, 20, 30]), Int32Array.of(2, -1)); // Float64Array [30, NaN]
 * ```
 */
export function gatherNumbers(column: arrow.Vector, indices: Int32Array, plan?: ChunkPlan): Float64Array {
  const out = new Float64Array(indices.length);
  const c = chunksOf(column);
  const where = plan ?? chunkPlan(column, indices);
  const type = column.type;
  if (!arrow.DataType.isInt(type) && !arrow.DataType.isFloat(type)) {
    throw new TypeError(`Feature column of type ${type} is not numeric`);
  }
  const wide = c.data.map((d) => {
    const v = d.values as unknown as ArrayLike<number> | BigInt64Array | BigUint64Array;
    return v instanceof BigInt64Array || v instanceof BigUint64Array
      ? new Int32Array(v.buffer, v.byteOffset, v.length * 2)
      : null;
  });
  const unsigned = arrow.DataType.isInt(type) && !type.isSigned;
  for (let i = 0; i < indices.length; i++) {
    const idx = indices[i];
    if (idx < 0) {
      out[i] = NaN;
      continue;
    }
    const k = where.chunk ? where.chunk[i] : 0;
    const d = c.data[k];
    const row = where.row[i];
    const bits = d.nullCount > 0 ? d.nullBitmap : null;
    if (bits && bits.length && !(bits[(d.offset + row) >> 3] & (1 << ((d.offset + row) & 7)))) {
      out[i] = NaN;
      continue;
    }
    const words = wide[k];
    if (words) {
      const hi = words[2 * row + 1];
      out[i] = (unsigned ? hi >>> 0 : hi) * 4294967296 + (words[2 * row] >>> 0);
    } else out[i] = (d.values as ArrayLike<number>)[row];
  }
  return out;
}

/** A text source column dictionary-coded once, for gathering codes per batch. */
function textIndex(column: arrow.Vector): { codes: Int32Array; values: string[] } {
  const codes = new KeyEncoder().encode(column, { insert: true });
  const values: string[] = [];
  for (let i = 0; i < codes.length; i++) if (codes[i] === values.length) values.push(column.get(i) as string);
  return { codes, values };
}

const isNumeric = (t: arrow.DataType) => arrow.DataType.isInt(t) || arrow.DataType.isFloat(t);
const isText = (t: arrow.DataType) =>
  arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t) ||
  (arrow.DataType.isDictionary(t) && arrow.DataType.isUtf8(t.dictionary));

function featureTypeError(name: string, type: arrow.DataType): Error {
  return new TypeError(`Feature "${name}" has type ${type}; batch scoring takes numeric or text features`);
}

/**
 * A joiner over a prepared point-in-time join (sources already indexed).
 *
 * @example
 * ```ts
 * const features = preparedJoiner(await prepareHistoricalJoin(repo, { features: refs }), refs);
 * ```
 */
export function preparedJoiner(prepared: PreparedJoin, refs: readonly string[]): FeatureJoiner {
  const texts = new Map<string, { codes: Int32Array; values: string[] }>();
  for (const v of prepared.views) {
    v.columns.forEach((column, i) => {
      if (isText(column.type)) texts.set(v.names[i], textIndex(column));
      else if (!isNumeric(column.type)) throw featureTypeError(v.names[i], column.type);
    });
  }
  const keyColumns = [...new Set(prepared.views.flatMap((v) => v.joinKeys))];
  return {
    mode: "offline",
    refs,
    names: prepared.names,
    keyColumns,
    join(keys, timestamps) {
      const matched = prepared.match(keys, timestamps);
      const out: FeatureColumns = { numbers: {}, texts: {} };
      prepared.views.forEach((v, k) => {
        const plan = v.columns.length ? chunkPlan(v.columns[0], matched[k]) : null;
        v.columns.forEach((column, i) => {
          const name = v.names[i];
          const t = texts.get(name);
          if (t) {
            const idx = matched[k];
            const codes = new Int32Array(idx.length);
            for (let r = 0; r < idx.length; r++) codes[r] = idx[r] < 0 ? -1 : t.codes[idx[r]];
            out.texts[name] = { codes, values: t.values };
          } else out.numbers[name] = gatherNumbers(column, matched[k], plan ?? undefined);
        });
      });
      return Promise.resolve(out);
    },
    close: () => Promise.resolve(),
  };
}

/**
 * Point-in-time features from the local engine: sources loaded and indexed once, then each batch looked up.
 *
 * @example
 * ```ts
 * const features = await offlineJoiner(repo, ["credit_history:hard_pulls"], { loadSource: fileSourceLoader(s3) });
 * ```
 */
export async function offlineJoiner(
  repo: FeatureRepo,
  refs: readonly string[],
  opts: HistoricalOptions & { naiveTimestamps?: "error" | "utc" } = {},
): Promise<FeatureJoiner> {
  const prepared = await prepareHistoricalJoin(repo, {
    features: refs,
    fullFeatureNames: false,
    naiveTimestamps: opts.naiveTimestamps,
  }, opts);
  return preparedJoiner(prepared, refs);
}

function columnsOf(table: arrow.Table, names: readonly string[]): FeatureColumns {
  const out: FeatureColumns = { numbers: {}, texts: {} };
  const all = Int32Array.from({ length: table.numRows }, (_, i) => i);
  for (const name of names) {
    const column = table.getChild(name);
    if (!column) throw new Error(`The offline store returned no column "${name}"`);
    if (isText(column.type)) {
      const t = textIndex(column);
      const codes = t.codes.map((c, i) => (column.isValid(i) ? c : -1));
      out.texts[name] = { codes, values: t.values };
    } else if (isNumeric(column.type)) out.numbers[name] = gatherNumbers(column, all);
    else throw featureTypeError(name, column.type);
  }
  return out;
}

/**
 * Point-in-time features through any offline store (one historical query per batch; e.g. Redshift).
 *
 * @example
 * ```ts
 * const features = storeJoiner(store.offline, repo, refs, ["dob_ssn"]);
 * ```
 */
export function storeJoiner(
  store: OfflineStore,
  repo: FeatureRepo,
  refs: readonly string[],
  keyColumns: readonly string[],
): FeatureJoiner {
  const names = refs.map((r) => r.split(":")[1]);
  return {
    mode: "offline",
    refs,
    names,
    keyColumns,
    async join(keys, timestamps) {
      const columns: Record<string, arrow.Vector> = {};
      for (const k of keyColumns) columns[k] = keys[k];
      const micros = new BigInt64Array(timestamps.length);
      for (let i = 0; i < timestamps.length; i++) micros[i] = BigInt(timestamps[i]);
      columns.event_timestamp = timestampVector(micros);
      const table = await store.getHistoricalFeatures(repo, {
        entities: new arrow.Table(columns),
        features: [...refs],
      });
      return columnsOf(table, names);
    },
    close: () => store.close(),
  };
}

/** What {@link onlineJoiner} needs from a feature store. */
export interface OnlineSource {
  getOnlineFeatures(request: OnlineFeaturesRequest): Promise<OnlineFeaturesResult>;
}

/**
 * The latest features from the online store, `chunkRows` entity rows per read; values that are not PRESENT
 * (missing, null, older than the view's ttl as of `asOf`) are missing.
 *
 * @example
 * ```ts
 * const features = onlineJoiner(store, refs, { keyColumns: ["dob_ssn"], asOf: new Date() });
 * ```
 */
export function onlineJoiner(
  source: OnlineSource,
  refs: readonly string[],
  opts: { keyColumns: readonly string[]; asOf?: Date; chunkRows?: number; close?: () => Promise<void> },
): FeatureJoiner {
  const names = refs.map((r) => r.split(":")[1]);
  const chunkRows = opts.chunkRows ?? 10_000;
  return {
    mode: "online",
    refs,
    names,
    keyColumns: opts.keyColumns,
    async join(keys, timestamps) {
      const n = timestamps.length;
      const out: FeatureColumns = { numbers: {}, texts: {} };
      const textValues = new Map<string, { values: string[]; index: Map<string, number>; codes: Int32Array }>();
      const keyValues = opts.keyColumns.map((k) => {
        const v = keys[k];
        return (i: number) => {
          const x = v.get(i);
          return typeof x === "bigint" ? Number(x) : x;
        };
      });
      for (let start = 0; start < n; start += chunkRows) {
        const end = Math.min(n, start + chunkRows);
        const entityRows: Record<string, unknown>[] = [];
        for (let i = start; i < end; i++) {
          const row: Record<string, unknown> = {};
          opts.keyColumns.forEach((k, j) => (row[k] = keyValues[j](i)));
          entityRows.push(row);
        }
        const result = await source.getOnlineFeatures({ features: [...refs], entityRows, asOf: opts.asOf });
        for (const column of result.results) {
          if (!column.view || !names.includes(column.name)) continue;
          for (let r = 0; r < column.values.length; r++) {
            const present = column.statuses[r] === "PRESENT";
            const v = present ? column.values[r] : null;
            if (typeof v === "string") {
              let t = textValues.get(column.name);
              if (!t) {
                t = { values: [], index: new Map(), codes: new Int32Array(n).fill(-1) };
                textValues.set(column.name, t);
              }
              let code = t.index.get(v);
              if (code === undefined) {
                code = t.values.length;
                t.values.push(v);
                t.index.set(v, code);
              }
              t.codes[start + r] = code;
            } else {
              const nums = (out.numbers[column.name] ??= new Float64Array(n).fill(NaN));
              if (v !== null && v !== undefined) nums[start + r] = typeof v === "bigint" ? Number(v) : Number(v);
            }
          }
        }
      }
      for (const [name, t] of textValues) {
        out.texts[name] = { codes: t.codes, values: t.values };
        delete out.numbers[name];
      }
      for (const name of names) {
        if (!out.numbers[name] && !out.texts[name]) out.numbers[name] = new Float64Array(n).fill(NaN);
      }
      return out;
    },
    close: () => opts.close?.() ?? Promise.resolve(),
  };
}
