import * as arrow from "apache-arrow";
import { assertEquals, assertThrows } from "@std/assert";
import { entity, featureView, fileSource } from "../definitions.ts";
import { timestampVector } from "../../io/mod.ts";
import { decodeValue, encodeRecords, encodeTable, schemaFingerprint } from "./codec.ts";

const id = entity({ name: "id", valueType: "int64" });
const view = featureView({
  name: "typed",
  entities: [id],
  schema: [
    { name: "i", dtype: "int64" },
    { name: "f", dtype: "float64" },
    { name: "s", dtype: "string" },
    { name: "b", dtype: "bool" },
    { name: "t", dtype: "unix_timestamp" },
  ],
  source: fileSource({ name: "src", path: "mem://typed", timestampField: "event_timestamp" }),
});

Deno.test("encodeRecords/decodeValue: typed values, nulls, big int64, non-finite floats, µs timestamps", () => {
  const batch = encodeRecords(view, [
    { id: 1, i: 42, f: 0.1, s: 'Zoë "quoted"', b: true, t: 1595356223386101, event_timestamp: 1595356223386101 },
    { id: 2, event_timestamp: "2021-08-01T00:00:00.000001Z", created_timestamp: new Date(0) },
    { id: 3, i: 9007199254740993n, f: NaN, s: "", b: false, t: "2021-08-01", event_timestamp: 5 },
    { id: 4, i: -9223372036854775808n, f: -Infinity, event_timestamp: 6 },
  ]);
  assertEquals(batch.keys, ["id=i1:1", "id=i1:2", "id=i1:3", "id=i1:4"]);
  const rows = batch.values.map((v) => decodeValue(view, v));
  assertEquals(rows[0], {
    eventMicros: 1595356223386101,
    createdMicros: null,
    values: [42, 0.1, 'Zoë "quoted"', true, 1595356223386101],
  });
  assertEquals(rows[1], {
    eventMicros: Date.UTC(2021, 7, 1) * 1000 + 1,
    createdMicros: 0,
    values: [null, null, null, null, null],
  });
  assertEquals(rows[2]!.values, [9007199254740993n, NaN, "", false, Date.UTC(2021, 7, 1) * 1000]);
  assertEquals(rows[3]!.values.slice(0, 2), [-9223372036854775808n, -Infinity]);
  assertEquals([...batch.eventMicros], [1595356223386101, Date.UTC(2021, 7, 1) * 1000 + 1, 5, 6]);
  assertEquals(Number.isNaN(batch.createdMicros[0]), true);
});

Deno.test("encodeRecords: values of the wrong type are named with their row", () => {
  assertThrows(
    () => encodeRecords(view, [{ id: 1, i: "x", event_timestamp: 1 }]),
    TypeError,
    `Feature "i" of row 0 of feature view "typed" is "x"; expected a int64`,
  );
  assertThrows(() => encodeRecords(view, [{ id: 1 }]), TypeError, `"event_timestamp" is missing in row 0`);
  assertThrows(() => encodeRecords(view, [{ id: "1", event_timestamp: 1 }]), TypeError, `Join key "id"`);
});

Deno.test("decodeValue: another schema or layout counts as absent", () => {
  const [value] = encodeRecords(view, [{ id: 1, i: 1, event_timestamp: 1 }]).values;
  const changed = featureView({
    name: "typed",
    entities: [id],
    schema: [{ name: "i", dtype: "float64" }],
    source: view.source,
  });
  assertEquals(schemaFingerprint(changed) === schemaFingerprint(view), false);
  assertEquals(decodeValue(changed, value), null);
  assertEquals(decodeValue(view, "2" + value.slice(1)), null);
  assertEquals(decodeValue(view, null), null);
});

Deno.test("encodeTable: Arrow columns encode like records (keys, values, timestamps)", () => {
  const table = new arrow.Table({
    id: arrow.vectorFromArray([1n, 2n, 9007199254740993n], new arrow.Int64()),
    i: arrow.vectorFromArray([5n, null, -3n], new arrow.Int64()),
    f: arrow.vectorFromArray([1.5, 2, null], new arrow.Float64()),
    s: arrow.vectorFromArray(["a", "é", null], new arrow.Utf8()),
    b: arrow.vectorFromArray([true, false, null], new arrow.Bool()),
    t: timestampVector(BigInt64Array.from([7n, 8n, 9n]), { timezone: "UTC" }),
    event_timestamp: timestampVector(BigInt64Array.from([100n, 200n, 300n]), { timezone: "UTC" }),
  });
  const fromTable = encodeTable(view, table);
  const fromRecords = encodeRecords(view, [
    { id: 1, i: 5, f: 1.5, s: "a", b: true, t: 7, event_timestamp: 100 },
    { id: 2, i: null, f: 2, s: "é", b: false, t: 8, event_timestamp: 200 },
    { id: 9007199254740993n, i: -3, t: 9, event_timestamp: 300 },
  ]);
  assertEquals(fromTable.keys, fromRecords.keys);
  assertEquals(fromTable.values, fromRecords.values);
  assertThrows(
    () => encodeTable(view, table.select(["id", "i", "f", "s", "b", "event_timestamp"])),
    Error,
    `Column "t" is missing from the rows of feature view "typed"`,
  );
});
