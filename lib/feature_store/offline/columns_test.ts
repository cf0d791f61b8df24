import * as arrow from "apache-arrow";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { CompositeKeyEncoder, KeyEncoder, timestampMicros } from "./columns.ts";

function tsVector(values: (bigint | null)[], unit = arrow.TimeUnit.MICROSECOND, tz: string | null = "UTC") {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => v !== null && (bitmap[i >> 3] |= 1 << (i & 7)));
  return arrow.makeVector(
    arrow.makeData({
      type: new arrow.Timestamp(unit, tz),
      length: values.length,
      nullCount: values.filter((v) => v === null).length,
      nullBitmap: bitmap,
      data: BigInt64Array.from(values, (v) => v ?? 0n) as unknown as Int32Array,
    }),
  );
}

Deno.test("timestampMicros keeps every microsecond and scales other units", () => {
  // 2021-07-28T17:09:19.623001Z
  const micros = 1627492159623001n;
  const { micros: out, nulls } = timestampMicros(tsVector([micros, null, -1n]), "ts");
  assertEquals(out[0], 1627492159623001);
  assert(Number.isNaN(out[1]));
  assertEquals(out[2], -1);
  assertEquals(nulls, 1);
  const secs = timestampMicros(tsVector([1627492159n], arrow.TimeUnit.SECOND), "ts").micros;
  assertEquals(secs[0], 1627492159_000000);
  const nanos = timestampMicros(tsVector([1627492159623001999n], arrow.TimeUnit.NANOSECOND), "ts").micros;
  assertEquals(nanos[0], 1627492159623001);
  assertThrows(() => timestampMicros(arrow.vectorFromArray([1, 2]), "loan_amnt"), TypeError, `"loan_amnt"`);
});

Deno.test("KeyEncoder: strings across chunks, nulls, lookups without insert, growth past the first table", () => {
  const enc = new KeyEncoder();
  const many = Array.from({ length: 20000 }, (_, i) => `1990${i}_${i % 97}`);
  const a = enc.encode(arrow.vectorFromArray([...many, null, "x"]), { insert: true });
  assertEquals(enc.size, 20001);
  assertEquals(a[20000], -1);
  const chunked = arrow.makeVector([
    arrow.vectorFromArray(["x", many[5]]).data[0],
    arrow.vectorFromArray(["unknown", many[19999]]).data[0],
  ]);
  const b = enc.encode(chunked, { insert: false });
  assertEquals(Array.from(b), [a[20001], a[5], -1, a[19999]]);
  assertThrows(() => enc.encode(arrow.vectorFromArray([1, 2], new arrow.Int32()), { insert: false }), TypeError);
});

Deno.test("KeyEncoder: Int32 and Int64 keys with equal values are equal; dictionary strings equal plain", () => {
  const enc = new KeyEncoder();
  const big = enc.encode(arrow.vectorFromArray([76104n, -5n, 2n ** 40n], new arrow.Int64()), { insert: true });
  const small = enc.encode(arrow.vectorFromArray([-5, 76104, 7], new arrow.Int32()), { insert: false });
  assertEquals(Array.from(small), [big[1], big[0], -1]);
  const s = new KeyEncoder();
  const plain = s.encode(arrow.vectorFromArray(["RENT", "OWN"]), { insert: true });
  const dict = s.encode(
    arrow.vectorFromArray(["OWN", "OWN", "RENT"], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
    {
      insert: false,
    },
  );
  assertEquals(Array.from(dict), [plain[1], plain[1], plain[0]]);
  assertThrows(() => s.encode(arrow.vectorFromArray([1.5]), { insert: true }), TypeError, "string or integer");
});

Deno.test("KeyEncoder: LargeUtf8 keys (64-bit offsets) and keys longer than a slot equal their Utf8 twins", () => {
  const enc = new KeyEncoder();
  const long = "a-much-longer-key-than-sixteen-bytes";
  const plain = enc.encode(arrow.vectorFromArray(["19530219_5179", long, null]), { insert: true });
  const large = enc.encode(arrow.vectorFromArray([long, "19530219_5179", "other"], new arrow.LargeUtf8()), {
    insert: false,
  });
  assertEquals(Array.from(large), [plain[1], plain[0], -1]);
  assertEquals(plain[2], -1);
});

Deno.test("CompositeKeyEncoder: pairs of codes, unseen pairs and nulls give -1", () => {
  const comp = new CompositeKeyEncoder();
  const f = comp.combine([Int32Array.from([0, 0, 1]), Int32Array.from([0, 1, 0])], { insert: true });
  assertEquals(new Set(f).size, 3);
  const e = comp.combine([Int32Array.from([1, 1, -1, 0]), Int32Array.from([0, 1, 0, 1])], { insert: false });
  assertEquals(Array.from(e), [f[2], -1, -1, f[1]]);
});
