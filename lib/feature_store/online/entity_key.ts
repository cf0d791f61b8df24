/**
 * Entity keys of the online store: a text encoding that is unambiguous for several join keys and typed values.
 *
 * An entity key lists the join keys sorted by name as `<name>=<type><length>:<value>` joined by `,`, where
 * `<type>` is one letter per value type (`i` int64, `j` int32, `d` float64, `f` float32, `s` string, `b` bool,
 * `t` unix_timestamp) and `<length>` is the UTF-8 byte length of `<value>`. The int64 7 is `zipcode=i1:7`, the
 * string "7" is `zipcode=s1:7`: they never collide, and no value can forge a separator because every value
 * is length-prefixed.
 *
 * A storage key prefixes it with the project (length-prefixed too) and the view: `14:credit_scoring|credit_history|
 * dob_ssn=s13:19770430_2525`. Text (not binary) keeps keys readable in `redis-cli` and lets the Redis client send
 * them on its fast string path.
 *
 * @example
 * ```ts
 * import { encodeEntityKey, storageKey } from "./entity_key.ts";
 * const key = encodeEntityKey([{ name: "zipcode", valueType: "int64" }], { zipcode: 76104 });
 * // "zipcode=i5:76104"
 * storageKey("credit_scoring", "zipcode_features", key);
 * // "14:credit_scoring|zipcode_features|zipcode=i5:76104"
 * ```
 * @module
 */
import type { FeatureView, ValueType } from "../definitions.ts";

/** A join key's name and declared type. */
export interface JoinKeySpec {
  name: string;
  valueType: ValueType;
}

/** A join key value as given in an entity row. */
export type EntityValue = string | number | bigint | boolean;

const TYPE_LETTER: Record<ValueType, string> = {
  int64: "i",
  int32: "j",
  float64: "d",
  float32: "f",
  string: "s",
  bool: "b",
  unix_timestamp: "t",
};

/**
 * The join keys of a view with their entity's value type, sorted by name (the order of the encoding).
 *
 * @example
 * ```ts
 * joinKeySpecs(view); // [{ name: "dob_ssn", valueType: "string" }]
 * ```
 */
export function joinKeySpecs(view: FeatureView): JoinKeySpec[] {
  const out: JoinKeySpec[] = [];
  for (const e of view.entities) for (const k of e.joinKeys) out.push({ name: k, valueType: e.valueType });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * UTF-8 byte length of a string (without allocating).
 *
 * @example
 * ```ts
 * utf8Length("é"); // 2
 * ```
 */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 2; // surrogate pair: 4 bytes for 2 code units
      i++;
    } else n += 2;
  }
  return n;
}

/**
 * The text of one typed key value, or throws naming the key when the value does not have the declared type.
 * Integers accept JS integers and bigints; floats accept numbers; strings must be well-formed Unicode.
 *
 * @example
 * ```ts
 * keyValueText({ name: "zipcode", valueType: "int64" }, 76104); // "76104"
 * ```
 */
export function keyValueText(spec: JoinKeySpec, value: unknown): string {
  const bad = (expected: string) =>
    new TypeError(
      `Join key "${spec.name}" is ${describeValue(value)}; expected ${expected} (its entity's value type is ` +
        `${spec.valueType})`,
    );
  switch (spec.valueType) {
    case "int64":
    case "int32":
    case "unix_timestamp": {
      if (typeof value === "bigint") {
        if (spec.valueType === "int32" && (value < -2147483648n || value > 2147483647n)) throw bad("a 32-bit integer");
        if (value < -9223372036854775808n || value > 9223372036854775807n) throw bad("a 64-bit integer");
        return value.toString();
      }
      if (typeof value === "number" && Number.isSafeInteger(value)) {
        if (spec.valueType === "int32" && (value < -2147483648 || value > 2147483647)) throw bad("a 32-bit integer");
        return String(value);
      }
      throw bad("an integer");
    }
    case "float64":
    case "float32":
      if (typeof value === "number" && !Number.isNaN(value)) return String(value);
      throw bad("a number");
    case "string":
      if (typeof value === "string" && value.isWellFormed()) return value;
      throw bad("a string");
    case "bool":
      if (typeof value === "boolean") return value ? "1" : "0";
      throw bad("true or false");
  }
}

/**
 * Encodes one entity key from the join key values of a row (extra properties are ignored).
 *
 * @example
 * ```ts
 * encodeEntityKey(
 *   [{ name: "zipcode", valueType: "int64" }, { name: "dob_ssn", valueType: "string" }],
 *   { dob_ssn: "19770430_2525", zipcode: 76104 },
 * ); // "dob_ssn=s13:19770430_2525,zipcode=i5:76104"
 * ```
 */
export function encodeEntityKey(specs: readonly JoinKeySpec[], row: Record<string, unknown>): string {
  const sorted = isSorted(specs) ? specs : [...specs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let out = "";
  for (let i = 0; i < sorted.length; i++) {
    const spec = sorted[i];
    const value = row[spec.name];
    if (value === undefined || value === null) throw new TypeError(`Join key "${spec.name}" is missing`);
    out += keyPart(spec, keyValueText(spec, value), i > 0);
  }
  return out;
}

/**
 * One `name=<type><length>:<value>` part (with a leading `,` when not first), from the value's text.
 *
 * @example
 * ```ts
 * keyPart({ name: "zipcode", valueType: "int64" }, "76104", false); // "zipcode=i5:76104"
 * ```
 */
export function keyPart(spec: JoinKeySpec, text: string, comma: boolean): string {
  return `${comma ? "," : ""}${spec.name}=${TYPE_LETTER[spec.valueType]}${utf8Length(text)}:${text}`;
}

/**
 * The storage key of an entity key: project (length-prefixed), view and entity key.
 *
 * @example
 * ```ts
 * storageKey("p", "v", "id=i1:7"); // "1:p|v|id=i1:7"
 * ```
 */
export function storageKey(project: string, view: string, entityKey: string): string {
  return keyPrefix(project, view) + entityKey;
}

/**
 * The prefix shared by all storage keys of one view of a project.
 *
 * @example
 * ```ts
 * keyPrefix("credit_scoring", "credit_history"); // "14:credit_scoring|credit_history|"
 * ```
 */
export function keyPrefix(project: string, view: string): string {
  return `${utf8Length(project)}:${project}|${view}|`;
}

function isSorted(specs: readonly JoinKeySpec[]): boolean {
  for (let i = 1; i < specs.length; i++) if (specs[i - 1].name > specs[i].name) return false;
  return true;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  if (typeof value === "string") return `"${value.length > 40 ? value.slice(0, 37) + "..." : value}" (a string)`;
  if (typeof value === "bigint") return `${value} (a bigint)`;
  if (typeof value === "number") return `${value} (a number)`;
  if (typeof value === "boolean") return `${value} (a boolean)`;
  return `${value === null ? "null" : typeof value}`;
}
