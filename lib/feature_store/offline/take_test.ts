import * as arrow from "apache-arrow";
import { assertEquals } from "@std/assert";
import { takeVector } from "./take.ts";

const idx = Int32Array.from([2, -1, 0, 1, 2]);

Deno.test("takeVector gathers fixed-width, string, bool and timestamp columns with -1 as null", () => {
  const ints = arrow.vectorFromArray([10n, null, 30n], new arrow.Int64());
  assertEquals(takeVector(ints, idx).toArray().length, 5);
  assertEquals([...takeVector(ints, idx)], [30n, null, 10n, null, 30n]);
  const floats = arrow.vectorFromArray([1.5, 2.5, 3.5]);
  assertEquals([...takeVector(floats, idx)], [3.5, null, 1.5, 2.5, 3.5]);
  const strings = arrow.vectorFromArray(["a", "bé", null]);
  assertEquals([...takeVector(strings, idx)], [null, null, "a", "bé", null]);
  const bools = arrow.vectorFromArray([true, false, true]);
  assertEquals([...takeVector(bools, idx)], [true, null, true, false, true]);
  const ts = arrow.makeVector(
    arrow.makeData({
      type: new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, "UTC"),
      length: 3,
      data: BigInt64Array.from([1627492159623001n, 2n, 3n]) as unknown as Int32Array,
    }),
  );
  const out = takeVector(ts, Int32Array.from([0, -1]));
  assertEquals(out.type.toString(), ts.type.toString());
  assertEquals((out.data[0].values as unknown as BigInt64Array)[0], 1627492159623001n);
  assertEquals(out.get(1), null);
});

Deno.test("takeVector reads across chunks and keeps dictionaries", () => {
  const chunked = arrow.makeVector([
    arrow.vectorFromArray([1, 2], new arrow.Int32()).data[0],
    arrow.vectorFromArray([3, 4], new arrow.Int32()).data[0],
  ]);
  assertEquals([...takeVector(chunked, Int32Array.from([3, 0, -1, 2]))], [4, 1, null, 3]);
  const strs = arrow.makeVector([arrow.vectorFromArray(["a"]).data[0], arrow.vectorFromArray(["b", "c"]).data[0]]);
  assertEquals([...takeVector(strs, Int32Array.from([2, 1, 0]))], ["c", "b", "a"]);
  const dict = arrow.vectorFromArray(["x", "y", "x"], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()));
  assertEquals([...takeVector(dict, Int32Array.from([1, -1, 2]))], ["y", null, "x"]);
});
