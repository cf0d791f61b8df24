/**
 * Arrow schemas of the three tables of Feast's credit-scoring tutorial, exactly as in the real Parquet files
 * (every field nullable, timestamps in microseconds UTC), and a builder that turns plain column arrays into a
 * RecordBatch of one of them.
 *
 * @module
 */
import * as arrow from "apache-arrow";

const int64 = () => new arrow.Int64();
const utf8 = () => new arrow.Utf8();
const float64 = () => new arrow.Float64();
const timestampUs = () => new arrow.TimestampMicrosecond("UTC");

function schemaOf(columns: [string, () => arrow.DataType][]): arrow.Schema {
  return new arrow.Schema(columns.map(([name, type]) => new arrow.Field(name, type(), true)));
}

/**
 * Schema of `loan_table.parquet` (the training entity table).
 *
 * @example
 * ```ts
 * import { LOAN_SCHEMA } from "./schemas.ts";
 * console.assert(LOAN_SCHEMA.fields[0].name === "loan_id");
 * ```
 */
export const LOAN_SCHEMA: arrow.Schema = schemaOf([
  ["loan_id", int64],
  ["dob_ssn", utf8],
  ["zipcode", int64],
  ["person_age", int64],
  ["person_income", int64],
  ["person_home_ownership", utf8],
  ["person_emp_length", float64],
  ["loan_intent", utf8],
  ["loan_amnt", int64],
  ["loan_int_rate", float64],
  ["loan_status", int64],
  ["event_timestamp", timestampUs],
  ["created_timestamp", timestampUs],
]);

const ZIPCODE_FEATURE_COLUMNS: [string, () => arrow.DataType][] = [
  ["city", utf8],
  ["state", utf8],
  ["location_type", utf8],
  ["tax_returns_filed", int64],
  ["population", int64],
  ["total_wages", int64],
];

/** The six zipcode feature columns, in file order. */
export const ZIPCODE_FEATURES: readonly string[] = ZIPCODE_FEATURE_COLUMNS.map(([name]) => name);

/**
 * Schema of `zipcode_table.parquet`: zipcode, the six features (three strings, three Int64), then the two timestamps.
 *
 * @example
 * ```ts
 * import { ZIPCODE_SCHEMA } from "./schemas.ts";
 * console.assert(ZIPCODE_SCHEMA.fields.length === 9);
 * ```
 */
export const ZIPCODE_SCHEMA: arrow.Schema = schemaOf([
  ["zipcode", int64],
  ...ZIPCODE_FEATURE_COLUMNS,
  ["event_timestamp", timestampUs],
  ["created_timestamp", timestampUs],
]);

/** The nine credit history feature columns, in file order. */
export const CREDIT_FEATURES = [
  "credit_card_due",
  "mortgage_due",
  "student_loan_due",
  "vehicle_loan_due",
  "hard_pulls",
  "missed_payments_2y",
  "missed_payments_1y",
  "missed_payments_6m",
  "bankruptcies",
] as const;

/**
 * Schema of `credit_history.parquet`: dob_ssn, the nine Int64 features, then the two timestamps.
 *
 * @example
 * ```ts
 * import { CREDIT_HISTORY_SCHEMA } from "./schemas.ts";
 * console.assert(CREDIT_HISTORY_SCHEMA.fields[1].name === "credit_card_due");
 * ```
 */
export const CREDIT_HISTORY_SCHEMA: arrow.Schema = schemaOf([
  ["dob_ssn", utf8],
  ...CREDIT_FEATURES.map((name): [string, () => arrow.DataType] => [name, int64]),
  ["event_timestamp", timestampUs],
  ["created_timestamp", timestampUs],
]);

/**
 * One column's values: integers or microsecond timestamps as numbers (exact below 2^53) or BigInts, doubles as
 * numbers, strings as strings. `null` marks a missing value.
 */
export type ColumnValues = ArrayLike<number | null> | ArrayLike<bigint> | ArrayLike<string | null>;

const encoder = new TextEncoder();

function validityOf(values: ArrayLike<unknown>): { bitmap: Uint8Array; nulls: number } {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) nulls++;
    else bitmap[i >> 3] |= 1 << (i & 7);
  }
  return { bitmap, nulls };
}

function toBigInts(values: ArrayLike<number | bigint | null>): BigInt64Array {
  if (values instanceof BigInt64Array) return values;
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v === null ? 0n : typeof v === "bigint" ? v : BigInt(v);
  }
  return out;
}

function columnData(type: arrow.DataType, values: ColumnValues): arrow.Data {
  const length = values.length;
  const { bitmap, nulls } = validityOf(values);
  const nullBitmap = nulls > 0 ? bitmap : undefined;
  if (arrow.DataType.isUtf8(type)) {
    const strings = values as ArrayLike<string | null>;
    const parts: Uint8Array[] = [];
    const offsets = new Int32Array(length + 1);
    let total = 0;
    for (let i = 0; i < length; i++) {
      const bytes = encoder.encode(strings[i] ?? "");
      parts.push(bytes);
      total += bytes.length;
      offsets[i + 1] = total;
    }
    const data = new Uint8Array(total);
    for (let i = 0; i < length; i++) data.set(parts[i], offsets[i]);
    return arrow.makeData({
      type: type as arrow.Utf8,
      length,
      nullCount: nulls,
      nullBitmap,
      valueOffsets: offsets,
      data,
    });
  }
  if (arrow.DataType.isFloat(type)) {
    const data = Float64Array.from(values as ArrayLike<number | null>, (v) => v ?? 0);
    return arrow.makeData({ type: type as arrow.Float64, length, nullCount: nulls, nullBitmap, data });
  }
  if (arrow.DataType.isInt(type) || arrow.DataType.isTimestamp(type)) {
    const data = toBigInts(values as ArrayLike<number | bigint | null>);
    return arrow.makeData({ type: type as arrow.Int64, length, nullCount: nulls, nullBitmap, data });
  }
  throw new TypeError(`Column type "${type}" is not supported`);
}

/**
 * Builds a RecordBatch of `schema` from one array of values per field (keyed by field name, all equally long).
 *
 * @example
 * ```ts
 * import { makeBatch, ZIPCODE_SCHEMA } from "./schemas.ts";
 * const ts = [1483272000000000];
 * const batch = makeBatch(ZIPCODE_SCHEMA, {
 *   zipcode: [501], city: ["HOLTSVILLE"], state: ["NY"], location_type: ["PRIMARY"], tax_returns_filed: [null],
 *   population: [null], total_wages: [null], event_timestamp: ts, created_timestamp: ts,
 * });
 * console.assert(batch.numRows === 1);
 * ```
 */
export function makeBatch(schema: arrow.Schema, columns: Record<string, ColumnValues>): arrow.RecordBatch {
  const first = columns[schema.fields[0].name];
  if (!first) throw new TypeError(`Column "${schema.fields[0].name}" is missing`);
  const length = first.length;
  const children = schema.fields.map((field) => {
    const values = columns[field.name];
    if (!values) throw new TypeError(`Column "${field.name}" is missing`);
    if (values.length !== length) {
      throw new RangeError(`Column "${field.name}" has ${values.length} values instead of ${length}`);
    }
    return columnData(field.type, values);
  });
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children });
  return new arrow.RecordBatch(schema, data);
}
