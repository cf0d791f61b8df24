/**
 * Checks a feature view against the Arrow schema of its source: every join key, feature (after the source's
 * field mapping), timestamp and created-timestamp column must exist with a compatible type.
 *
 * All problems are collected, not just the first. Naive timestamps (no time zone, or CSV columns read as UTC
 * with field metadata `tz_naive` = `"true"` or `"mixed"`) are warnings, or errors with `strict`.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { entity, featureView, fileSource } from "./definitions.ts";
 * import { validateViewSchema } from "./validate.ts";
 * const view = featureView({
 *   name: "zipcode_features",
 *   entities: [entity({ name: "zipcode", valueType: "int64" })],
 *   schema: [{ name: "population", dtype: "int64" }],
 *   source: fileSource({ name: "zip", path: "zip.parquet", timestampField: "event_timestamp" }),
 * });
 * const schema = new arrow.Schema([
 *   new arrow.Field("zipcode", new arrow.Int64()),
 *   new arrow.Field("population", new arrow.Utf8()),
 *   new arrow.Field("event_timestamp", new arrow.TimestampMicrosecond("UTC")),
 * ]);
 * validateViewSchema(view, schema).errors;
 * // ['Feature view "zipcode_features": column "population" has type Utf8, feature "population" expects int64']
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { type FeatureView, sourceColumn, sourceLocation, type ValueType } from "./definitions.ts";
import { didYouMean } from "../cli/suggest.ts";

/** Problems found by a validation: errors block `apply`, warnings are printed. */
export interface ValidationResult {
  errors: string[];
  warnings: string[];
}

/** Options of {@link validateViewSchema}. */
export interface ValidateOptions {
  /** Treat naive (time-zone-less) timestamps as errors instead of warnings. */
  strict?: boolean;
  /** Source location to name in messages (default: the source's path or table). */
  location?: string;
}

/** One or more validation problems; `problems` lists each, the message joins them one per line. */
export class ValidationError extends Error {
  /** Each problem as a sentence naming the object and column. */
  readonly problems: string[];
  /** @param problems Each problem, in the order found. */
  constructor(problems: string[]) {
    super(problems.join("\n"));
    this.name = "ValidationError";
    this.problems = problems;
  }
}

/**
 * Validates one feature view against its source's schema, collecting every problem.
 *
 * @example
 * ```ts
 * // const { errors, warnings } = validateViewSchema(view, await readSchema(view.source.path));
 * ```
 */
export function validateViewSchema(
  view: FeatureView,
  schema: arrow.Schema,
  opts: ValidateOptions = {},
): ValidationResult {
  const result: ValidationResult = { errors: [], warnings: [] };
  const what = `Feature view "${view.name}"`;
  const location = opts.location ?? sourceLocation(view.source);
  const columns = new Map(schema.fields.map((f) => [f.name, f]));

  const lookup = (name: string, role: string): arrow.Field | undefined => {
    const column = sourceColumn(view.source, name);
    const found = columns.get(column);
    if (!found) {
      const mapped = column === name ? "" : ` (mapped to ${role})`;
      result.errors.push(
        `${what}: column "${column}"${mapped} missing from source "${location}"${suggest(column, columns.keys())}`,
      );
    }
    return found;
  };

  for (const e of view.entities) {
    for (const key of e.joinKeys) {
      const f = lookup(key, `join key "${key}"`);
      if (f && !isCompatible(e.valueType, f.type)) {
        result.errors.push(
          `${what}: column "${f.name}" has type ${f.type}, join key "${key}" of entity "${e.name}" expects ${e.valueType}`,
        );
      } else if (f && e.valueType === "unix_timestamp") checkZone(f, `join key "${key}"`);
    }
  }
  for (const feature of view.schema) {
    const f = lookup(feature.name, `feature "${feature.name}"`);
    if (f && !isCompatible(feature.dtype, f.type)) {
      result.errors.push(
        `${what}: column "${f.name}" has type ${f.type}, feature "${feature.name}" expects ${feature.dtype}`,
      );
    } else if (f && feature.dtype === "unix_timestamp") checkZone(f, `feature "${feature.name}"`);
  }
  const timestamps: [string, string | undefined][] = [
    ["timestamp field", view.source.timestampField],
    ["created timestamp", view.source.createdTimestampColumn],
  ];
  for (const [role, column] of timestamps) {
    if (column === undefined) continue;
    const f = columns.get(column);
    if (!f) {
      result.errors.push(
        `${what}: ${role} column "${column}" missing from source "${location}"${suggest(column, columns.keys())}`,
      );
    } else if (!isCompatible("unix_timestamp", f.type)) {
      result.errors.push(`${what}: ${role} column "${column}" has type ${f.type}; expected a timestamp or date`);
    } else checkZone(f, role);
  }
  return result;

  function checkZone(f: arrow.Field, role: string): void {
    const flag = f.metadata.get("tz_naive");
    const naive = flag === "true" || (arrow.DataType.isTimestamp(f.type) && !(f.type as arrow.Timestamp).timezone);
    if (!naive && flag !== "mixed") return;
    const values = flag === "mixed" ? "has values without a time zone" : "has no time zone";
    const message = `${what}: column "${f.name}" (${role}) in source "${location}" ${values}; read as UTC`;
    (opts.strict ? result.errors : result.warnings).push(message);
  }
}

/**
 * Whether an Arrow column type can hold values of a feature's value type without loss:
 * int64 ← Int8..Int64, Uint8..Uint32; int32 ← Int8..Int32, Uint8..Uint16; float64 ← Float*, Int*, Uint*;
 * float32 ← Float16/32, Int8/16, Uint8/16; string ← Utf8, LargeUtf8, Dictionary of those; bool ← Bool;
 * unix_timestamp ← Timestamp (any unit), Date.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * isCompatible("int64", new arrow.Int32()); // true
 * isCompatible("int64", new arrow.Uint64()); // false: values above 2^63 do not fit
 * ```
 */
export function isCompatible(dtype: ValueType, type: arrow.DataType): boolean {
  const T = arrow.DataType;
  const intWidth = (signedMax: number, unsignedMax: number) => {
    if (!T.isInt(type)) return false;
    const int = type as arrow.Int;
    return int.isSigned ? int.bitWidth <= signedMax : int.bitWidth <= unsignedMax;
  };
  switch (dtype) {
    case "int64":
      return intWidth(64, 32);
    case "int32":
      return intWidth(32, 16);
    case "float64":
      return T.isFloat(type) || T.isInt(type);
    case "float32":
      return (T.isFloat(type) && (type as arrow.Float).precision !== arrow.Precision.DOUBLE) || intWidth(16, 16);
    case "string":
      return isUtf8(type) || (T.isDictionary(type) && isUtf8((type as arrow.Dictionary).dictionary));
    case "bool":
      return T.isBool(type);
    case "unix_timestamp":
      return T.isTimestamp(type) || T.isDate(type);
  }
}

function isUtf8(type: arrow.DataType): boolean {
  return arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type);
}

function suggest(name: string, candidates: Iterable<string>): string {
  return didYouMean(name, candidates, Math.max(2, Math.floor(name.length / 4)));
}
