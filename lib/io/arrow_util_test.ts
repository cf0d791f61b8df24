import * as arrow from "apache-arrow";
import { assertEquals, assertThrows } from "@std/assert";
import {
  columnTypeName,
  emptyBatch,
  isTzNaive,
  microsToIso,
  selectColumns,
  timestampMicros,
  timestampVector,
  TZ_NAIVE_KEY,
  validityMask,
} from "./arrow_util.ts";

Deno.test("timestampVector and timestampMicros keep exact microseconds and nulls", () => {
  const micros = new BigInt64Array([1627492159623001n, -1n, 0n, 1483272000000000n]);
  const v = timestampVector(micros, { validity: new Uint8Array([1, 1, 0, 1]) });
  assertEquals(columnTypeName(v.type), "Timestamp<MICROSECOND, UTC>");
  assertEquals(v.nullCount, 1);
  assertEquals([...timestampMicros(v)], [1627492159623001n, -1n, 0n, 1483272000000000n]);
  assertEquals(validityMask(v), new Uint8Array([1, 1, 0, 1]));
  assertEquals(microsToIso(1627492159623001n), "2021-07-28T17:09:19.623001Z");
  assertEquals(microsToIso(-1n), "1969-12-31T23:59:59.999999Z");
});

Deno.test("timestampMicros converts every unit and dates exactly, across chunks", () => {
  const mk = <T extends arrow.Timestamp>(type: T, vals: bigint[]) =>
    arrow.makeVector(arrow.makeData({ type, length: vals.length, data: new BigInt64Array(vals) as T["TArray"] }));
  assertEquals([...timestampMicros(mk(new arrow.TimestampSecond("UTC"), [2n, -3n]))], [2_000_000n, -3_000_000n]);
  assertEquals([...timestampMicros(mk(new arrow.TimestampMillisecond(), [5n]))], [5_000n]);
  // nanoseconds floor (toward minus infinity) to microseconds
  assertEquals([...timestampMicros(mk(new arrow.TimestampNanosecond(), [1999n, -1n]))], [1n, -1n]);
  const days = arrow.makeVector(arrow.makeData({ type: new arrow.DateDay(), length: 1, data: new Int32Array([1]) }));
  assertEquals([...timestampMicros(days)], [86_400_000_000n]);
  const a = timestampVector(new BigInt64Array([1n, 2n]));
  const b = timestampVector(new BigInt64Array([3n]), { validity: new Uint8Array([0]) });
  const both = a.concat(b);
  assertEquals([...timestampMicros(both)], [1n, 2n, 0n]);
  assertEquals(validityMask(both), new Uint8Array([1, 1, 0]));
  assertEquals(validityMask(a), null);
  assertThrows(() => timestampMicros(arrow.vectorFromArray([1.5])), Error, '"Float64" is not a timestamp');
});

Deno.test("isTzNaive sees missing timezones and CSV naive metadata", () => {
  assertEquals(isTzNaive(new arrow.Field("t", new arrow.TimestampMicrosecond("UTC"))), false);
  assertEquals(isTzNaive(new arrow.Field("t", new arrow.TimestampMicrosecond())), true);
  const meta = new Map([[TZ_NAIVE_KEY, "true"]]);
  assertEquals(isTzNaive(new arrow.Field("t", new arrow.TimestampMicrosecond("UTC"), true, meta)), true);
  assertEquals(isTzNaive(new arrow.Field("x", new arrow.Int64(), true, meta)), false);
});

Deno.test("columnTypeName, emptyBatch and selectColumns", () => {
  assertEquals(columnTypeName(new arrow.Field("a", new arrow.Int64())), "Int64");
  assertEquals(columnTypeName(new arrow.Utf8()), "Utf8");
  assertEquals(columnTypeName(new arrow.TimestampMicrosecond()), "Timestamp<MICROSECOND>");
  const schema = new arrow.Schema([new arrow.Field("a", new arrow.Int64()), new arrow.Field("s", new arrow.Utf8())]);
  const e = emptyBatch(schema);
  assertEquals(e.numRows, 0);
  assertEquals(e.schema.fields.map(String), ["a: Int64", "s: Utf8"]);
  const t = arrow.tableFromArrays({ a: new Float64Array([1, 2]), b: ["x", "y"] });
  const sel = selectColumns(t.batches[0], ["b", "a"], "t.parquet");
  assertEquals(sel.schema.fields.map((f) => f.name), ["b", "a"]);
  assertEquals(sel.getChild("b")!.toArray(), ["x", "y"]);
  assertThrows(() => selectColumns(t.batches[0], ["zz"], "t.parquet"), Error, 'Column "zz" not found in "t.parquet"');
});
