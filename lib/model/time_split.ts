/**
 * The training table as rows, its fingerprint, and the time-based split: the oldest rows train, the next share
 * validates (early stopping, calibration, threshold), the newest share is the held-out test.
 *
 * @example
 * ```ts
 * import { splitSummary, tableFingerprint, tableToRows, timeSplit } from "./time_split.ts";
 * const rows = tableToRows(table);
 * const split = timeSplit(rows, { timestampColumn: "event_timestamp", test: 0.2, validation: 0.1 });
 * splitSummary(split, { test: 0.2 }).description; // "time-based: oldest 700 rows train, ..."
 * await tableFingerprint(table); // "3f1c..."
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import type { RawRow } from "./preprocess.ts";

/** The time-based split as recorded with the run. */
export interface SplitSummary {
  rows: number;
  train: number;
  validation: number;
  test: number;
  /** ISO times: first training row, first validation row, first test row, last test row. */
  trainFrom: string | null;
  validationFrom: string | null;
  testFrom: string | null;
  testTo: string | null;
  description: string;
}

/**
 * Arrow table rows as plain objects (bigints as numbers, timestamps as epoch milliseconds).
 *
 * @example
 * ```ts
 * tableToRows(arrow.tableFromArrays({ n: BigInt64Array.of(5n) })); // [{ n: 5 }]
 * ```
 */
export function tableToRows(table: arrow.Table): RawRow[] {
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.map((name) => {
    const vector = table.getChild(name)!;
    const out = new Array(table.numRows);
    let i = 0;
    for (const v of vector) out[i++] = typeof v === "bigint" ? Number(v) : v;
    return out;
  });
  const rows: RawRow[] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: RawRow = {};
    for (let c = 0; c < names.length; c++) row[names[c]] = columns[c][r];
    rows[r] = row;
  }
  return rows;
}

/**
 * Splits row indices by time: the oldest rows train, the next `validation` share validates, the newest `test`
 * share is held out. Ties keep the input order; rows without a timestamp are refused.
 *
 * @example
 * ```ts
 * const s = timeSplit([3, 1, 2, 5, 4].map((t) => ({ ts: t })), { timestampColumn: "ts", test: 0.2, validation: 0.2 });
 * // s.train = [1, 2, 0], s.validation = [4], s.test = [3]
 * ```
 */
export function timeSplit(
  rows: readonly RawRow[],
  opts: { timestampColumn: string; test: number; validation: number },
): { train: number[]; validation: number[]; test: number[]; times: number[] } {
  const times = rows.map((r, i) => {
    const v = r[opts.timestampColumn];
    const t = v instanceof Date ? v.getTime() : typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : NaN;
    if (!Number.isFinite(t)) throw new Error(`Row ${i} has no usable "${opts.timestampColumn}": "${String(v)}"`);
    return t;
  });
  if (!(opts.test > 0 && opts.validation > 0 && opts.test + opts.validation < 1)) {
    throw new Error(
      `Split shares must be positive and leave training rows, got test ${opts.test}, validation ${opts.validation}`,
    );
  }
  const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b] || a - b);
  const n = order.length;
  const nTest = Math.round(n * opts.test);
  const nVal = Math.round(n * opts.validation);
  return {
    train: order.slice(0, n - nTest - nVal),
    validation: order.slice(n - nTest - nVal, n - nTest),
    test: order.slice(n - nTest),
    times,
  };
}

/**
 * sha256 (hex) of a table's Arrow IPC stream bytes: the training data's fingerprint.
 *
 * @example
 * ```ts
 * const a = await tableFingerprint(table);
 * a === (await tableFingerprint(table)); // true
 * ```
 */
export async function tableFingerprint(table: arrow.Table): Promise<string> {
  const bytes = arrow.tableToIPC(table, "stream");
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** What {@link timeSplit} returns: row indices per part (oldest first) and every row's time (epoch ms). */
export type TimeSplit = ReturnType<typeof timeSplit>;

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

/**
 * The split as recorded with the run: part sizes, their first and last times and a description.
 *
 * @example
 * ```ts
 * splitSummary(timeSplit(rows, { timestampColumn: "ts", test: 0.2, validation: 0.1 }), { test: 0.2 }).test; // 2
 * ```
 */
export function splitSummary(split: TimeSplit, opts: { test: number }): SplitSummary {
  const t = (idx: number[], k: number) => split.times[idx[k]];
  return {
    rows: split.times.length,
    train: split.train.length,
    validation: split.validation.length,
    test: split.test.length,
    trainFrom: iso(t(split.train, 0)),
    validationFrom: iso(t(split.validation, 0)),
    testFrom: iso(t(split.test, 0)),
    testTo: iso(t(split.test, split.test.length - 1)),
    description: `time-based: oldest ${split.train.length} rows train, next ${split.validation.length} validate ` +
      `(early stopping, calibration, threshold), newest ${split.test.length} (${Math.round(opts.test * 100)}%) test`,
  };
}
