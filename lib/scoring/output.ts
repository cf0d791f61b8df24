/**
 * The scored rows' columns (the output contract that monitoring reads), built straight from typed arrays:
 *
 * | column | type | |
 * |---|---|---|
 * | the application's id columns (e.g. `loan_id`, `dob_ssn`, `zipcode`, `event_timestamp`) | Int64 / Utf8 / Timestamp µs UTC | absent optional ids are null |
 * | `probability` | Float64 | calibrated probability of default |
 * | `decision` | Utf8 | `"approve"` or `"reject"` (reject when probability >= threshold) |
 * | `threshold` | Float64 | the model's threshold |
 * | `model_name`, `model_version` | Utf8, Int64 | |
 * | `reason_1` .. `reason_<top>` | Utf8 | reason codes (feature groups), strongest first; null when fewer |
 * | `reason_1_impact` .. | Float64 | log-odds each reason adds against the baseline applicant |
 * | `flags` | Utf8 | out-of-range inputs scored anyway (`scoreFlagged`), else null |
 * | `scored_at` | Timestamp µs UTC | one instant per run |
 * | the model's input columns (`person_age`, ..., `missed_payments_6m`, ...) | Float64 / Utf8 | the values the model used, before encoding; null = missing (imputed) |
 * | pass-through columns (`keepColumns`) | as in the input | |
 *
 * @example
 * ```ts
 * import { outputSchema } from "./output.ts";
 * outputSchema(layout).fields.map((f) => f.name); // ["loan_id", "dob_ssn", ..., "probability", "decision", ...]
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { takeVector } from "../feature_store/offline/take.ts";
import { columnTypeName } from "../io/mod.ts";
import type { BatchScores, TextColumn } from "../model/batch_scorer.ts";
import {
  type CheckedBatch,
  type ColumnKind,
  float64Vector,
  type Problem,
  problemText,
  utf8FromCodes,
} from "./columns.ts";

/** What the output holds; fixed for a whole job so every file has one schema. */
export interface OutputLayout {
  /** Id columns and their kinds, in order. */
  ids: { name: string; kind: ColumnKind }[];
  /** Reasons per row. */
  top: number;
  /** The model's input columns and whether each is text or numeric. */
  features: { name: string; text: boolean }[];
  /** Pass-through columns and their input types. */
  keep: arrow.Field[];
}

const timestampType = () => new arrow.TimestampMicrosecond("UTC");

function idType(kind: ColumnKind): arrow.DataType {
  return kind === "integer"
    ? new arrow.Int64()
    : kind === "timestamp"
    ? timestampType()
    : kind === "number"
    ? new arrow.Float64()
    : new arrow.Utf8();
}

/**
 * The Arrow schema of scored rows for a layout (see the module doc).
 *
 * @example
 * ```ts
 * outputSchema({ ids: [{ name: "loan_id", kind: "integer" }], top: 3, features: [], keep: [] });
 * ```
 */
export function outputSchema(layout: OutputLayout): arrow.Schema {
  const f = (name: string, type: arrow.DataType) => new arrow.Field(name, type, true);
  const seen = new Set<string>();
  const fields: arrow.Field[] = [];
  const add = (field: arrow.Field) => {
    if (seen.has(field.name)) return;
    seen.add(field.name);
    fields.push(field);
  };
  for (const id of layout.ids) add(f(id.name, idType(id.kind)));
  add(f("probability", new arrow.Float64()));
  add(f("decision", new arrow.Utf8()));
  add(f("threshold", new arrow.Float64()));
  add(f("model_name", new arrow.Utf8()));
  add(f("model_version", new arrow.Int64()));
  for (let k = 1; k <= layout.top; k++) add(f(`reason_${k}`, new arrow.Utf8()));
  for (let k = 1; k <= layout.top; k++) add(f(`reason_${k}_impact`, new arrow.Float64()));
  add(f("flags", new arrow.Utf8()));
  add(f("scored_at", timestampType()));
  for (const c of layout.features) add(f(c.name, c.text ? new arrow.Utf8() : new arrow.Float64()));
  for (const k of layout.keep) add(k);
  return new arrow.Schema(fields);
}

function nullVector(type: arrow.DataType, n: number): arrow.Vector {
  return arrow.makeVector(arrow.makeData({ type, length: n, nullCount: n, nullBitmap: new Uint8Array((n + 7) >> 3) }));
}

function constFloat(value: number, n: number): arrow.Vector {
  return float64Vector(new Float64Array(n).fill(value));
}

function constInt(value: number | null, n: number): arrow.Vector {
  if (value === null) return nullVector(new arrow.Int64(), n);
  return arrow.makeVector(new BigInt64Array(n).fill(BigInt(value)));
}

function constTimestamp(micros: bigint, n: number): arrow.Vector {
  const data = new BigInt64Array(n).fill(micros);
  return arrow.makeVector(arrow.makeData({ type: timestampType(), length: n, nullCount: 0, data }));
}

function gather<T extends Float64Array | Int32Array>(values: T, rows: Int32Array | null): T {
  if (!rows) return values;
  const out = new (values.constructor as { new (n: number): T })(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
  return out;
}

/**
 * Rows of a single-chunk Utf8, Int64 or Timestamp vector (the id columns), copied straight from the buffers;
 * anything else goes through `takeVector`.
 */
function fastTake(v: arrow.Vector, rows: Int32Array): arrow.Vector {
  if (v.data.length !== 1) return takeVector(v, rows);
  const d = v.data[0];
  const type = v.type;
  const n = rows.length;
  const bits = d.nullCount > 0 && d.nullBitmap && d.nullBitmap.length ? d.nullBitmap : null;
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (bits) {
    nullBitmap = new Uint8Array((n + 7) >> 3);
    for (let i = 0; i < n; i++) {
      const b = d.offset + rows[i];
      if (bits[b >> 3] & (1 << (b & 7))) nullBitmap[i >> 3] |= 1 << (i & 7);
      else nullCount++;
    }
  }
  if (arrow.DataType.isUtf8(type)) {
    const offs = d.valueOffsets as Int32Array;
    const src = d.values as Uint8Array;
    const offsets = new Int32Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) {
      total += offs[rows[i] + 1] - offs[rows[i]];
      offsets[i + 1] = total;
    }
    const data = new Uint8Array(total);
    for (let i = 0; i < n; i++) {
      const a = offs[rows[i]], b = offs[rows[i] + 1];
      let at = offsets[i];
      for (let k = a; k < b; k++) data[at++] = src[k];
    }
    return arrow.makeVector(
      arrow.makeData({ type: type as arrow.Utf8, length: n, nullCount, nullBitmap, valueOffsets: offsets, data }),
    );
  }
  const values = d.values as unknown;
  if (values instanceof BigInt64Array && (arrow.DataType.isInt(type) || arrow.DataType.isTimestamp(type))) {
    const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    const out = new Int32Array(n * 2);
    for (let i = 0; i < n; i++) {
      out[2 * i] = words[2 * rows[i]];
      out[2 * i + 1] = words[2 * rows[i] + 1];
    }
    const data = new BigInt64Array(out.buffer);
    return arrow.makeVector(arrow.makeData({ type: type as arrow.Int64, length: n, nullCount, nullBitmap, data }));
  }
  return takeVector(v, rows);
}

/** What {@link buildOutput} needs besides the layout. */
export interface OutputInputs {
  checked: CheckedBatch;
  /** Feature values from the store (by model column). */
  features: { numbers: Record<string, Float64Array>; texts: Record<string, TextColumn> };
  scores: BatchScores;
  /** Rows of the batch to output (null = all). */
  rows: Int32Array | null;
  /** Input vectors of pass-through columns (null where absent). */
  keep: (arrow.Vector | null)[];
  model: { name: string; version: number | null; threshold: number; groups: readonly string[] };
  scoredAtMicros: bigint;
}

/**
 * The scored rows of one batch as a record batch of {@link outputSchema}.
 *
 * @example
 * ```ts
 * const batch = buildOutput(schema, layout, { checked, features, scores, rows: good, keep: [], model, scoredAtMicros });
 * ```
 */
export function buildOutput(schema: arrow.Schema, layout: OutputLayout, o: OutputInputs): arrow.RecordBatch {
  const { checked, scores, rows } = o;
  const n = rows ? rows.length : checked.rows;
  const children = new Map<string, arrow.Vector>();
  const take = (v: arrow.Vector) => (rows ? fastTake(v, rows) : v);
  for (const id of layout.ids) {
    const v = checked.vectors[id.name];
    children.set(id.name, v ? take(v) : nullVector(idType(id.kind), n));
  }
  children.set("probability", float64Vector(gather(scores.probability, rows)));
  const decision = new Int32Array(n);
  for (let i = 0; i < n; i++) decision[i] = scores.reject[rows ? rows[i] : i];
  children.set("decision", utf8FromCodes(decision, ["approve", "reject"]));
  children.set("threshold", constFloat(o.model.threshold, n));
  children.set("model_name", utf8FromCodes(new Int32Array(n), [o.model.name]));
  children.set("model_version", constInt(o.model.version, n));
  const top = layout.top;
  for (let k = 0; k < top; k++) {
    const codes = new Int32Array(n);
    const impacts = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = rows ? rows[i] : i;
      const at = r * scores.top + k;
      codes[i] = k < scores.top ? scores.reasonGroups[at] : -1;
      impacts[i] = k < scores.top ? scores.reasonImpacts[at] : NaN;
    }
    children.set(`reason_${k + 1}`, utf8FromCodes(codes, o.model.groups));
    children.set(`reason_${k + 1}_impact`, float64Vector(impacts));
  }
  if (checked.flags.size) {
    const texts: string[] = [];
    const codes = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      const f = checked.flags.get(rows ? rows[i] : i);
      if (f) {
        codes[i] = texts.length;
        texts.push(problemText(f as Problem[]));
      }
    }
    children.set("flags", utf8FromCodes(codes, texts));
  } else children.set("flags", nullVector(new arrow.Utf8(), n));
  children.set("scored_at", constTimestamp(o.scoredAtMicros, n));
  for (const c of layout.features) {
    if (children.has(c.name)) continue;
    const text = o.features.texts[c.name] ?? checked.texts[c.name];
    const nums = o.features.numbers[c.name] ?? checked.numbers[c.name];
    if (c.text) {
      children.set(
        c.name,
        text ? utf8FromCodes(gather(text.codes, rows), text.values) : nullVector(new arrow.Utf8(), n),
      );
    } else {
      children.set(c.name, nums ? float64Vector(gather(nums, rows)) : nullVector(new arrow.Float64(), n));
    }
  }
  layout.keep.forEach((field, i) => {
    const v = o.keep[i];
    children.set(
      field.name,
      v && columnTypeName(v.type) === columnTypeName(field.type) ? take(v) : nullVector(field.type, n),
    );
  });
  const data = schema.fields.map((f) => children.get(f.name)!.data[0]);
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children: data });
  return new arrow.RecordBatch(schema, struct);
}

/**
 * UTC day numbers (days since 1970-01-01) of microsecond timestamps, for date partitions.
 *
 * @example
 * ```ts
 * dayNumbers(Float64Array.of(86_400e6 + 5)); // Int32Array [1]
 * ```
 */
export function dayNumbers(micros: Float64Array, rows: Int32Array | null): Int32Array {
  const n = rows ? rows.length : micros.length;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(micros[rows ? rows[i] : i] / 86_400_000_000);
  return out;
}

/**
 * A day number as `YYYY-MM-DD`.
 *
 * @example
 * ```ts
 * dayText(18_628); // "2021-01-01"
 * ```
 */
export function dayText(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}
