import * as arrow from "apache-arrow";
import { assertEquals } from "@std/assert";
import { categoryCounts, numericChunks, numericValues, valuesFromChunks, valueType } from "./columns.ts";

Deno.test("valueType sorts Arrow types into numeric, string, boolean, temporal and unsupported", () => {
  assertEquals(valueType(new arrow.Int64()), "numeric");
  assertEquals(valueType(new arrow.Float32()), "numeric");
  assertEquals(valueType(new arrow.Utf8()), "string");
  assertEquals(valueType(new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())), "string");
  assertEquals(valueType(new arrow.Bool()), "boolean");
  assertEquals(valueType(new arrow.TimestampMicrosecond()), "temporal");
  assertEquals(valueType(new arrow.List(new arrow.Field("x", new arrow.Int32()))), "unsupported");
});

Deno.test("numericValues drops nulls, NaN and infinities across chunks, offsets and integer types", () => {
  const a = arrow.vectorFromArray([1.5, null, NaN, 3, Infinity, -Infinity, 4], new arrow.Float64());
  assertEquals(numericValues(a), { values: Float64Array.from([1.5, 3, 4]), missing: 4 });
  const ints = arrow.vectorFromArray([1n, null, 3n], new arrow.Int64());
  assertEquals(numericValues(ints), { values: Float64Array.from([1, 3]), missing: 1 });
  const chunked = arrow.makeVector(Int32Array.from([1, 2])).concat(arrow.vectorFromArray([null, 7], new arrow.Int32()));
  assertEquals(numericValues(chunked), { values: Float64Array.from([1, 2, 7]), missing: 1 });
  const sliced = arrow.vectorFromArray([9, null, 8, null, 7, 6, null, 5, 4, null, 3], new arrow.Float64()).slice(3, 10);
  assertEquals(numericValues(sliced), { values: Float64Array.from([7, 6, 5, 4]), missing: 3 });
  // the copies are independent of the table
  const chunks = numericChunks(a);
  valuesFromChunks(chunks);
  assertEquals(a.get(0), 1.5);
});

Deno.test("categoryCounts counts strings (plain and dictionary) and booleans; nulls are missing", () => {
  const plain = arrow.vectorFromArray(["a", "b", null, "a"], new arrow.Utf8());
  assertEquals(categoryCounts(plain), { counts: new Map([["a", 2], ["b", 1]]), missing: 1 });
  const dict = arrow.vectorFromArray(["x", "y", "x", null]);
  assertEquals(categoryCounts(dict), { counts: new Map([["x", 2], ["y", 1]]), missing: 1 });
  const bools = arrow.vectorFromArray([true, false, null, true, true]).slice(1);
  assertEquals(categoryCounts(bools), { counts: new Map([["false", 1], ["true", 2]]), missing: 1 });
});
