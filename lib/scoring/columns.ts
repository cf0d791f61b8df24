/**
 * Reading and checking the columns of an input batch for scoring: every cell is read from the Arrow buffers into
 * typed arrays (numbers as Float64 with NaN for null, texts dictionary-coded, timestamps as microseconds), and every
 * problem is recorded against its row: a required column missing from the file, a column of the wrong type, a null
 * where a value is required, a text where a number is expected, a fraction where a whole number is, a category
 * nobody knows, a malformed identifier, an out-of-range value. Nothing is dropped here: the caller decides whether
 * bad rows fail the job or go to quarantine.
 *
 * What the columns are (names, kinds, nullability, accepted values, checks) comes from an {@link InputSchema} that
 * the application supplies (lib/credit/batch_scoring.ts for loan applications).
 *
 * @example
 * ```ts
 * import { checkBatch } from "./columns.ts";
 * const checked = checkBatch(batch, schema, { source: "s3://bucket/applications.parquet" });
 * for (const [row, problems] of checked.problems) console.log(row, problems.map((p) => p.message));
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { KeyEncoder, timestampMicros } from "../feature_store/offline/columns.ts";
import { columnTypeName, isTzNaive, parseTimestamp, timestampVector } from "../io/mod.ts";
import type { TextColumn } from "../model/batch_scorer.ts";
import { type RangeRule, validateRow } from "../model/preprocess.ts";

/** What a column holds. */
export type ColumnKind = "text" | "number" | "integer" | "timestamp";

/** One input column and its checks. */
export interface ColumnRule {
  name: string;
  kind: ColumnKind;
  /** Nulls (and empty texts) are allowed (default false). */
  nullable?: boolean;
  /** The column may be absent from a file (then it is null everywhere; default false). */
  optional?: boolean;
  /** Text: the accepted values (after `normalize`); the model's known categories are added by the caller. */
  values?: readonly string[];
  /** Text: applied to each distinct value before checks (default: trim). */
  normalize?: (value: string) => string;
  /** Text: a format check of a raw value; returns what is wrong, or null. */
  check?: (value: string) => string | null;
  /**
   * Text: the same check on the UTF-8 bytes `bytes[start, end)` (no string is made; for identifiers with a value per
   * row). Returns true when the value is fine; `check` then gives the message for the bad ones.
   */
  checkBytes?: (bytes: Uint8Array, start: number, end: number) => boolean;
}

/** The columns of an application table and how they are checked. */
export interface InputSchema {
  columns: readonly ColumnRule[];
  /** The column with each row's time (kind "timestamp"): features are joined as of it, output is partitioned by it. */
  timestampColumn: string;
  /** Columns copied to the output to identify each row (in this order), e.g. loan_id, dob_ssn, zipcode, time. */
  idColumns: readonly string[];
  /** Out-of-range checks (the model's). */
  rules?: readonly RangeRule[];
}

/** Kinds of problems. */
export type ProblemKind =
  | "missing_column"
  | "wrong_type"
  | "null"
  | "not_a_number"
  | "not_whole"
  | "unknown_category"
  | "bad_format"
  | "bad_timestamp"
  | "out_of_range";

/** One problem of one row. */
export interface Problem {
  column: string;
  kind: ProblemKind;
  /** A sentence naming the column and the value. */
  message: string;
  /** The offending value (for summaries), if any. */
  value?: unknown;
}

/** A checked batch: values by column, problems by row. */
export interface CheckedBatch {
  rows: number;
  /** Rows that must not be scored, with their problems. */
  problems: Map<number, Problem[]>;
  /** Out-of-range rows scored anyway (`scoreFlagged`), with their problems. */
  flags: Map<number, Problem[]>;
  /** Number and integer columns: NaN = null or bad. */
  numbers: Record<string, Float64Array>;
  /** Text columns that were decoded, with normalized values. */
  texts: Record<string, TextColumn>;
  /** The timestamp column in µs (NaN = null or bad). */
  timestamps: Float64Array;
  /**
   * Identifier and key columns with normalized types (integer -> Int64, text -> Utf8, timestamp -> Timestamp µs UTC),
   * one per id column and per join key present.
   */
  vectors: Record<string, arrow.Vector>;
}

/** Options of {@link checkBatch}. */
export interface CheckOptions {
  /** Where the batch comes from, for messages. */
  source?: string;
  /** Known categories of a text column (the model's), added to the rule's values. */
  categories?: (column: string) => readonly string[] | null;
  /** Columns whose texts must be decoded (model inputs); others only when they have values or checks. */
  decode?: ReadonlySet<string>;
  /** Timestamps without a time zone: "error" (default) or read as UTC. */
  naiveTimestamps?: "error" | "utc";
  /** Score out-of-range rows anyway, recording them in `flags` (default: they are problems). */
  scoreFlagged?: boolean;
  /** Extra columns that must be decoded as vectors even if not id columns (join keys). */
  keyColumns?: readonly string[];
}

const KIND_TEXT: Record<ColumnKind, string> = {
  text: "text",
  number: "a number",
  integer: "a whole number",
  timestamp: "a timestamp",
};

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

class Problems {
  readonly byRow = new Map<number, Problem[]>();
  add(row: number, p: Problem): void {
    const list = this.byRow.get(row);
    if (list) list.push(p);
    else this.byRow.set(row, [p]);
  }
  all(rows: number, p: Problem): void {
    for (let i = 0; i < rows; i++) this.add(i, p);
  }
}

function isValidAt(bits: Uint8Array | null, offset: number, i: number): boolean {
  return !bits || (bits[(offset + i) >> 3] & (1 << ((offset + i) & 7))) !== 0;
}

function nullBitsOf(data: arrow.Data): Uint8Array | null {
  const b = data.nullBitmap;
  return b && b.length > 0 && data.nullCount !== 0 ? b : null;
}

const isStringType = (t: arrow.DataType) =>
  arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t) ||
  (arrow.DataType.isDictionary(t) && (arrow.DataType.isUtf8(t.dictionary) || arrow.DataType.isLargeUtf8(t.dictionary)));

/** The strings of a text vector by row (null for null), decoded once per distinct value. */
function stringsOf(vector: arrow.Vector): { codes: Int32Array; values: (string | null)[] } {
  const codes = new KeyEncoder().encode(vector, { insert: true });
  const values: (string | null)[] = [];
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === values.length) values.push(vector.get(i) as string);
  }
  return { codes, values };
}

/** Numbers of a numeric vector (NaN for null), straight from the buffers. */
function numbersOf(vector: arrow.Vector, out: Float64Array): void {
  let row = 0;
  for (const data of vector.data) {
    const n = data.length;
    const bits = nullBitsOf(data);
    const values = data.values as ArrayLike<number> | BigInt64Array | BigUint64Array;
    if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
      const unsigned = values instanceof BigUint64Array;
      for (let i = 0; i < n; i++) {
        if (!isValidAt(bits, data.offset, i)) out[row + i] = NaN;
        else {
          const hi = words[2 * i + 1];
          out[row + i] = (unsigned ? hi >>> 0 : hi) * 4294967296 + (words[2 * i] >>> 0);
        }
      }
    } else if (arrow.DataType.isFloat(data.type) && (data.type as arrow.Float).precision === arrow.Precision.HALF) {
      for (let i = 0; i < n; i++) out[row + i] = isValidAt(bits, data.offset, i) ? Number(vector.get(row + i)) : NaN;
    } else {
      for (let i = 0; i < n; i++) out[row + i] = isValidAt(bits, data.offset, i) ? values[i] : NaN;
    }
    row += n;
  }
}

function int64Vector(values: Float64Array): arrow.Vector {
  const n = values.length;
  const data = new BigInt64Array(n);
  const valid = new Uint8Array(n);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== v) {
      nulls++;
      continue;
    }
    data[i] = BigInt(Math.trunc(v));
    valid[i] = 1;
  }
  const bitmap = nulls ? packBits(valid) : undefined;
  return arrow.makeVector(
    arrow.makeData({ type: new arrow.Int64(), length: n, nullCount: nulls, nullBitmap: bitmap, data }),
  );
}

function packBits(valid: Uint8Array): Uint8Array {
  const bitmap = new Uint8Array((valid.length + 7) >> 3);
  for (let i = 0; i < valid.length; i++) if (valid[i]) bitmap[i >> 3] |= 1 << (i & 7);
  return bitmap;
}

/**
 * A Utf8 vector from dictionary codes (-1 = null).
 *
 * @example
 * ```ts
 * utf8FromCodes(Int32Array.of(1, -1, 0), ["a", "b"]).toArray(); // ["b", null, "a"]
 * ```
 */
export function utf8FromCodes(codes: Int32Array, values: readonly (string | null)[]): arrow.Vector {
  const enc = new TextEncoder();
  const bytes = values.map((v) => (v === null ? new Uint8Array(0) : enc.encode(v)));
  const n = codes.length;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  let nulls = 0;
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    if (c < 0 || values[c] === null) nulls++;
    else {
      total += bytes[c].length;
      valid[i] = 1;
    }
    offsets[i + 1] = total;
  }
  const data = new Uint8Array(total);
  for (let i = 0; i < n; i++) {
    if (!valid[i]) continue;
    // short values (codes, categories) copy faster byte by byte than through set()
    const src = bytes[codes[i]];
    const at = offsets[i];
    if (src.length <= 32) { for (let k = 0; k < src.length; k++) data[at + k] = src[k]; }
    else data.set(src, at);
  }
  return arrow.makeVector(
    arrow.makeData({
      type: new arrow.Utf8(),
      length: n,
      nullCount: nulls,
      nullBitmap: nulls ? packBits(valid) : undefined,
      valueOffsets: offsets,
      data,
    }),
  );
}

/**
 * A Float64 vector from numbers (NaN = null).
 *
 * @example
 * ```ts
 * float64Vector(Float64Array.of(1, NaN)).nullCount; // 1
 * ```
 */
export function float64Vector(values: Float64Array): arrow.Vector {
  const n = values.length;
  let nulls = 0;
  for (let i = 0; i < n; i++) if (values[i] !== values[i]) nulls++;
  let bitmap: Uint8Array | undefined;
  if (nulls) {
    const valid = new Uint8Array(n);
    for (let i = 0; i < n; i++) valid[i] = values[i] === values[i] ? 1 : 0;
    bitmap = packBits(valid);
  }
  return arrow.makeVector(
    arrow.makeData({ type: new arrow.Float64(), length: n, nullCount: nulls, nullBitmap: bitmap, data: values }),
  );
}

/**
 * Reads and checks one batch; see the module doc. Column-level problems (a missing column, a wrong type, a
 * timestamp column without a time zone) are recorded on every row.
 */
export function checkBatch(batch: arrow.RecordBatch, schema: InputSchema, opts: CheckOptions = {}): CheckedBatch {
  const n = batch.numRows;
  const problems = new Problems();
  const flags = new Problems();
  const numbers: Record<string, Float64Array> = {};
  const texts: Record<string, TextColumn> = {};
  const vectors: Record<string, arrow.Vector> = {};
  let timestamps = new Float64Array(n).fill(NaN);
  const wantVector = new Set([...schema.idColumns, ...(opts.keyColumns ?? [])]);
  for (const rule of schema.columns) {
    const field = batch.schema.fields.find((f) => f.name === rule.name);
    const vector = field ? batch.getChild(rule.name)! : null;
    const nullProblem: Problem = {
      column: rule.name,
      kind: "null",
      message: `column "${rule.name}" is empty; a value is required`,
    };
    if (!vector) {
      if (!rule.optional) {
        problems.all(n, {
          column: rule.name,
          kind: "missing_column",
          message: `column "${rule.name}" is missing from the input`,
        });
      }
      if (rule.kind === "number" || rule.kind === "integer") numbers[rule.name] = new Float64Array(n).fill(NaN);
      else if (rule.kind === "text") texts[rule.name] = { codes: new Int32Array(n).fill(-1), values: [] };
      continue;
    }
    const type = vector.type;
    const wrongType = (expected: string, extra = ""): void =>
      problems.all(n, {
        column: rule.name,
        kind: "wrong_type",
        message: `column "${rule.name}" has type ${columnTypeName(field!)}; expected ${expected}${extra}`,
      });
    if (rule.kind === "number" || rule.kind === "integer") {
      const out = new Float64Array(n);
      // a stored value the rule refuses: a problem naming it, and NaN in its place
      const reject = (i: number, kind: "not_whole" | "not_a_number", expected: string): void => {
        const v = out[i];
        problems.add(i, {
          column: rule.name,
          kind,
          value: v,
          message: `column "${rule.name}" is ${v}; expected ${expected}`,
        });
        out[i] = NaN;
      };
      if (arrow.DataType.isInt(type) || arrow.DataType.isFloat(type)) {
        numbersOf(vector, out);
        for (let i = 0; i < n; i++) {
          const v = out[i];
          if (v !== v) {
            // NaN stored in a float column counts as null too (the model imputes it the same way)
            if (!rule.nullable) problems.add(i, nullProblem);
          } else if (rule.kind === "integer" && !Number.isInteger(v)) {
            reject(i, "not_whole", "a whole number");
          } else if (!Number.isFinite(v)) {
            reject(i, "not_a_number", "a finite number");
          }
        }
      } else if (isStringType(type)) {
        const { codes, values } = stringsOf(vector);
        const parsed = values.map((s) => {
          // "NaN" in a CSV is what a NaN stored in a Parquet float column is: a missing value (imputed when the
          // column may be null, a null problem otherwise), the same whatever the file format
          if (s === null || s.trim() === "" || /^nan$/i.test(s.trim())) {
            return { v: NaN, bad: null as string | null, empty: true };
          }
          const v = Number(s.trim());
          if (!Number.isFinite(v)) return { v: NaN, bad: `column "${rule.name}" is ${show(s)}; expected a number` };
          if (rule.kind === "integer" && !Number.isInteger(v)) {
            return { v: NaN, bad: `column "${rule.name}" is ${show(s)}; expected a whole number` };
          }
          return { v, bad: null };
        });
        for (let i = 0; i < n; i++) {
          const c = codes[i];
          const p = c < 0 ? { v: NaN, bad: null, empty: true } : parsed[c];
          out[i] = p.v;
          if (p.bad) {
            problems.add(i, {
              column: rule.name,
              kind: rule.kind === "integer" && /whole/.test(p.bad) ? "not_whole" : "not_a_number",
              value: values[c],
              message: p.bad,
            });
          } else if ("empty" in p && p.empty && !rule.nullable) problems.add(i, nullProblem);
        }
      } else {
        out.fill(NaN);
        wrongType(KIND_TEXT[rule.kind]);
      }
      numbers[rule.name] = out;
      if (wantVector.has(rule.name)) {
        vectors[rule.name] = rule.kind === "integer" && arrow.DataType.isInt(type) && type.bitWidth === 64 &&
            type.isSigned
          ? vector
          : rule.kind === "integer"
          ? int64Vector(out)
          : float64Vector(out);
      }
    } else if (rule.kind === "text") {
      if (!isStringType(type)) {
        wrongType("text");
        texts[rule.name] = { codes: new Int32Array(n).fill(-1), values: [] };
        continue;
      }
      const decode = opts.decode?.has(rule.name) || rule.values !== undefined || rule.normalize !== undefined ||
        (rule.check !== undefined && rule.checkBytes === undefined);
      if (!decode) {
        // identifiers: nulls and the byte-level check only, no string per row
        checkTextBytes(vector, rule, problems, nullProblem);
        if (wantVector.has(rule.name)) vectors[rule.name] = plainUtf8(vector);
        continue;
      }
      const { codes, values } = stringsOf(vector);
      const normalize = rule.normalize ?? ((s: string) => s.trim());
      const known = new Set<string>(rule.values ?? []);
      for (const c of opts.categories?.(rule.name) ?? []) known.add(c);
      const checkCategories = known.size > 0;
      // per distinct raw value: its normalized value index, or a problem
      const normValues: string[] = [];
      const normIndex = new Map<string, number>();
      const verdict = values.map((raw) => {
        if (raw === null) return { code: -1, problem: null as Problem | null };
        const v = normalize(raw);
        if (v === "") return { code: -1, problem: null };
        const bad = rule.check?.(raw) ?? null;
        if (bad) {
          return { code: -1, problem: { column: rule.name, kind: "bad_format" as const, value: raw, message: bad } };
        }
        if (checkCategories && !known.has(v)) {
          const list = [...known].sort();
          const shown = list.length > 12 ? `${list.slice(0, 12).join(", ")}, ...` : list.join(", ");
          return {
            code: -1,
            problem: {
              column: rule.name,
              kind: "unknown_category" as const,
              value: raw,
              message: `column "${rule.name}" is ${show(raw)}, an unknown category; expected one of ${shown}`,
            },
          };
        }
        let k = normIndex.get(v);
        if (k === undefined) {
          k = normValues.length;
          normValues.push(v);
          normIndex.set(v, k);
        }
        return { code: k, problem: null };
      });
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const c = codes[i];
        const d = c < 0 ? null : verdict[c];
        out[i] = d ? d.code : -1;
        if (d?.problem) problems.add(i, d.problem);
        else if (out[i] < 0 && !rule.nullable) problems.add(i, nullProblem);
      }
      texts[rule.name] = { codes: out, values: normValues };
      if (wantVector.has(rule.name)) vectors[rule.name] = utf8FromCodes(out, normValues);
    } else {
      // timestamp
      const micros = new Float64Array(n).fill(NaN);
      if (arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type)) {
        if ((opts.naiveTimestamps ?? "error") === "error" && isTzNaive(field!)) {
          wrongType(
            "a timestamp with a time zone",
            ` (no time zone: store UTC timestamps, or pass naiveTimestamps "utc" to read them as UTC)`,
          );
        } else {
          micros.set(timestampMicros(vector, rule.name).micros);
          if (!rule.nullable) { for (let i = 0; i < n; i++) if (micros[i] !== micros[i]) problems.add(i, nullProblem); }
        }
      } else if (isStringType(type)) {
        const { codes, values } = stringsOf(vector);
        const parsed = values.map((s) => {
          if (s === null || s.trim() === "") return { v: NaN, bad: null as string | null };
          const t = parseTimestamp(s.trim());
          if (!t) return { v: NaN, bad: `column "${rule.name}" is ${show(s)}; expected an ISO 8601 timestamp` };
          if (t.naive && (opts.naiveTimestamps ?? "error") === "error") {
            return {
              v: NaN,
              bad: `column "${rule.name}" is ${show(s)}, which has no UTC offset; write it with one (e.g. "+00:00")`,
            };
          }
          return { v: Number(t.micros), bad: null };
        });
        for (let i = 0; i < n; i++) {
          const c = codes[i];
          const p = c < 0 ? { v: NaN, bad: null } : parsed[c];
          micros[i] = p.v;
          if (p.bad) {
            problems.add(i, { column: rule.name, kind: "bad_timestamp", value: values[c], message: p.bad });
          } else if (p.v !== p.v && !rule.nullable) problems.add(i, nullProblem);
        }
      } else wrongType("a timestamp");
      if (rule.name === schema.timestampColumn) timestamps = micros;
      const exact = arrow.DataType.isTimestamp(type) && type.unit === arrow.TimeUnit.MICROSECOND &&
        (type.timezone === "UTC" || type.timezone === "+00:00" || type.timezone === "Etc/UTC");
      if (wantVector.has(rule.name) && exact) vectors[rule.name] = vector;
      else if (wantVector.has(rule.name)) {
        const valid = new Uint8Array(n);
        const raw = new BigInt64Array(n);
        for (let i = 0; i < n; i++) {
          if (micros[i] === micros[i]) {
            raw[i] = BigInt(micros[i]);
            valid[i] = 1;
          }
        }
        vectors[rule.name] = timestampVector(raw, { validity: valid });
      }
    }
  }
  // out-of-range values (the model's rules); rows that already have problems are not checked again
  for (const rule of schema.rules ?? []) {
    const values = numbers[rule.column];
    if (!values) continue;
    const other = rule.maxColumn ? numbers[rule.maxColumn] : undefined;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v !== v) continue;
      const high = (rule.max !== undefined && v > rule.max) ||
        (other !== undefined && other[i] === other[i] && v > other[i]);
      const low = rule.min !== undefined && v < rule.min;
      if (!high && !low) continue;
      if (problems.byRow.has(i)) continue;
      const row: Record<string, unknown> = { [rule.column]: v };
      if (rule.maxColumn && other) row[rule.maxColumn] = other[i];
      for (const p of validateRow(row, [rule])) {
        const problem: Problem = {
          column: rule.column,
          kind: "out_of_range",
          value: v,
          message: `column "${rule.column}": ${p.reason}`,
        };
        (opts.scoreFlagged ? flags : problems).add(i, problem);
      }
    }
  }
  return { rows: n, problems: problems.byRow, flags: flags.byRow, numbers, texts, timestamps, vectors };
}

/** A Utf8 vector for the output: the column itself when it is plain Utf8, else decoded. */
function plainUtf8(vector: arrow.Vector): arrow.Vector {
  if (arrow.DataType.isUtf8(vector.type)) return vector;
  const { codes, values } = stringsOf(vector);
  return utf8FromCodes(codes, values);
}

function checkTextBytes(vector: arrow.Vector, rule: ColumnRule, problems: Problems, nullProblem: Problem): void {
  let row = 0;
  const plain = arrow.DataType.isUtf8(vector.type);
  for (const data of vector.data) {
    const n = data.length;
    const bits = nullBitsOf(data);
    const offsets = plain ? (data.valueOffsets as Int32Array) : null;
    const bytes = plain ? (data.values as Uint8Array) : null;
    for (let i = 0; i < n; i++) {
      if (!isValidAt(bits, data.offset, i)) {
        if (!rule.nullable) problems.add(row + i, nullProblem);
        continue;
      }
      let ok: boolean;
      let text: string | undefined;
      if (offsets && bytes) {
        const a = offsets[i], b = offsets[i + 1];
        if (a === b) {
          if (!rule.nullable) problems.add(row + i, nullProblem);
          continue;
        }
        ok = rule.checkBytes ? rule.checkBytes(bytes, a, b) : true;
      } else {
        text = vector.get(row + i) as string;
        if (text === "") {
          if (!rule.nullable) problems.add(row + i, nullProblem);
          continue;
        }
        ok = rule.check?.(text) == null;
      }
      if (!ok) {
        text ??= vector.get(row + i) as string;
        problems.add(row + i, {
          column: rule.name,
          kind: "bad_format",
          value: text,
          message: rule.check?.(text) ?? `column "${rule.name}" is ${show(text)}; the value is malformed`,
        });
      }
    }
    row += n;
  }
}

/** Counts of one kind of problem in one column, with the first occurrence. */
export interface ProblemSummary {
  column: string;
  kind: ProblemKind;
  rows: number;
  firstRow: number;
  firstMessage: string;
}

/**
 * Problems grouped by column and kind (rows counted once per group), largest first.
 *
 * @example
 * ```ts
 * summarizeProblems(checked.problems)[0]; // { column: "loan_intent", kind: "unknown_category", rows: 12, ... }
 * ```
 */
export function summarizeProblems(problems: ReadonlyMap<number, readonly Problem[]>, rowOffset = 0): ProblemSummary[] {
  const groups = new Map<string, ProblemSummary>();
  for (const [row, list] of problems) {
    const seen = new Set<string>();
    for (const p of list) {
      const key = `${p.column}\u0000${p.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const g = groups.get(key);
      if (g) {
        g.rows++;
        if (row + rowOffset < g.firstRow) {
          g.firstRow = row + rowOffset;
          g.firstMessage = p.message;
        }
      } else {
        groups.set(key, {
          column: p.column,
          kind: p.kind,
          rows: 1,
          firstRow: row + rowOffset,
          firstMessage: p.message,
        });
      }
    }
  }
  return [...groups.values()].sort((a, b) => b.rows - a.rows || (a.column < b.column ? -1 : 1));
}

/** A problem list as one line (the quarantine file's reason). */
export function problemText(problems: readonly Problem[]): string {
  return problems.map((p) => p.message).join("; ");
}
