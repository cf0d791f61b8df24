/**
 * Arrow tables for the tests of the Redis bulk writer (lib/feature_store/online/resp_*.ts): every feature type,
 * nulls, non-ASCII and JSON-escaped strings, int64 beyond 2^53, NaN and infinities, several record batches with
 * sliced offsets; and a splitter of RESP bulk strings.
 *
 * @example
 * ```ts
 * import { randomTable, single } from "./resp_tables.ts";
 * const table = randomTable(1000, 1); // rows of the `single` view (one int64 key)
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { entity, featureView, fileSource } from "../feature_store/definitions.ts";
import { timestampVector } from "../io/mod.ts";
import { seededRandom as rng } from "../numeric/random.ts";

/** The source of the test views. */
export const src = fileSource({
  name: "rt",
  path: "mem://rt",
  timestampField: "event_timestamp",
  createdTimestampColumn: "created_timestamp",
});
/** Every feature type. */
export const schema = [
  { name: "i", dtype: "int64" as const },
  { name: "j", dtype: "int32" as const },
  { name: "u", dtype: "int64" as const },
  { name: "f", dtype: "float64" as const },
  { name: "g", dtype: "float32" as const },
  { name: "s", dtype: "string" as const },
  { name: "b", dtype: "bool" as const },
  { name: "t", dtype: "unix_timestamp" as const },
];
/** A view with one int64 key. */
export const single = featureView({
  name: "rt",
  entities: [entity({ name: "id", valueType: "int64" })],
  schema,
  source: src,
});
/** A view with a string key and an int64 key. */
export const multi = featureView({
  name: "rt_multi",
  entities: [entity({ name: "name", valueType: "string" }), entity({ name: "id", valueType: "int64" })],
  schema,
  source: src,
});

/** Strings that need escaping, non-ASCII, long ones. */
export const STRINGS = [
  "",
  "a|b",
  "|||",
  'quo"te',
  "back\\slash",
  "tab\there\nnl\r\u0001\u001f\b\f",
  "héllo",
  "日本語|x",
  "😀|🎉",
  "\ufeffbom",
  "plain_ascii_value_1234567890_".repeat(4),
  "ü".repeat(50),
  "\u007f",
];
/** int64 values around 2^53 and the extremes. */
export const BIG = [
  0n,
  -1n,
  9007199254740991n,
  9007199254740992n,
  -9007199254740992n,
  -9007199254740993n,
  9223372036854775807n,
  -9223372036854775808n,
  123456789012345678n,
];
/** Floats with every JSON spelling. */
export const FLOATS = [
  0,
  -0,
  1.5,
  -2.25,
  1e21,
  1e-7,
  123456789.123,
  NaN,
  Infinity,
  -Infinity,
  2 ** 53,
  2 ** 60,
  1 / 3,
  42,
];

/**
 * A random typed table of the test views (nulls wherever allowed).
 *
 * @example
 * ```ts
 * randomTable(100, 7).numRows; // 100
 * ```
 */
export function randomTable(n: number, seed: number, idOffset = 0, eventBase = 1_627_776_000_000_000): arrow.Table {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const maybe = <T>(v: T, p = 0.15) => (r() < p ? null : v);
  const ids = BigInt64Array.from(
    { length: n },
    (_, k) => BigInt(k % 2 ? -k * 7919 : k * 104729) + (k === 5 ? 2n ** 60n : 0n) + BigInt(idOffset),
  );
  const event = BigInt64Array.from({ length: n }, () => BigInt(eventBase + Math.floor(r() * 1e9)));
  const created = BigInt64Array.from(event, (e) => e + BigInt(Math.floor(r() * 1e6)));
  const createdValid = Uint8Array.from({ length: n }, () => (r() < 0.2 ? 0 : 1));
  return new arrow.Table({
    id: arrow.makeVector(ids),
    name: arrow.vectorFromArray(Array.from({ length: n }, (_, k) => `${pick(STRINGS)}#${k}`), new arrow.Utf8()),
    i: arrow.vectorFromArray(
      Array.from({ length: n }, () => maybe(r() < 0.3 ? pick(BIG) : BigInt(Math.floor((r() - 0.5) * 2e6)))),
      new arrow.Int64(),
    ),
    j: arrow.vectorFromArray(Array.from({ length: n }, () => maybe(Math.floor((r() - 0.5) * 4e9))), new arrow.Int32()),
    u: arrow.vectorFromArray(Array.from({ length: n }, () => maybe(Math.floor(r() * 4e9))), new arrow.Uint32()),
    f: arrow.vectorFromArray(
      Array.from({ length: n }, () => maybe(r() < 0.5 ? pick(FLOATS) : (r() - 0.5) * 10 ** Math.floor(r() * 30 - 10))),
      new arrow.Float64(),
    ),
    g: arrow.vectorFromArray(Array.from({ length: n }, () => maybe((r() - 0.5) * 1000)), new arrow.Float32()),
    s: arrow.vectorFromArray(Array.from({ length: n }, () => maybe(pick(STRINGS))), new arrow.Utf8()),
    b: arrow.vectorFromArray(Array.from({ length: n }, () => maybe(r() < 0.5)), new arrow.Bool()),
    t: timestampVector(BigInt64Array.from({ length: n }, () => BigInt(Math.floor((r() - 0.3) * 2e15))), {
      validity: Uint8Array.from({ length: n }, () => (r() < 0.1 ? 0 : 1)),
    }),
    event_timestamp: timestampVector(event),
    created_timestamp: timestampVector(created, { validity: createdValid }),
  });
}

/**
 * Several record batches, the second sliced (offsets into shared buffers).
 *
 * @example
 * ```ts
 * chunkedTable(100, 7).batches.length; // 2
 * ```
 */
export function chunkedTable(n: number, seed: number): arrow.Table {
  const a = randomTable(n, seed);
  const b = randomTable(n + 10, seed + 1, 10_000_000_000).slice(5, n + 5);
  return a.concat(b);
}

/**
 * Splits RESP bulk strings of a command stream (skipping the `*N` lines).
 *
 * @example
 * ```ts
 * bulks(new TextEncoder().encode("*1\r\n$4\r\nPING\r\n")); // [bytes of "PING"]
 * ```
 */
export function bulks(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  while (p < bytes.length) {
    const nl = bytes.indexOf(10, p);
    const line = new TextDecoder().decode(bytes.subarray(p, nl - 1));
    p = nl + 1;
    if (line[0] === "$") {
      const len = Number(line.slice(1));
      out.push(bytes.subarray(p, p + len));
      p += len + 2;
    }
  }
  return out;
}
