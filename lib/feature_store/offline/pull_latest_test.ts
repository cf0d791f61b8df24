import * as arrow from "apache-arrow";
import { assertEquals, assertThrows } from "@std/assert";
import { entity, featureView, fileSource } from "../definitions.ts";
import { latestPerKey, viewSourceColumns } from "./pull_latest.ts";
import { FileOfflineStore } from "./store.ts";
import { timestampVector } from "../../io/mod.ts";

const person = entity({ name: "dob_ssn", valueType: "string" });
const view = featureView({
  name: "credit_history",
  entities: [person],
  ttl: "90d",
  schema: [{ name: "missed_payments_6m", dtype: "int64" }],
  source: fileSource({
    name: "credit",
    path: "mem://credit",
    timestampField: "event_timestamp",
    createdTimestampColumn: "created_timestamp",
    fieldMapping: { ssn: "dob_ssn", missed: "missed_payments_6m" },
  }),
});

function table(): arrow.Table {
  return new arrow.Table({
    ssn: arrow.vectorFromArray(["a", "a", "a", "b", "b", null, "c"], new arrow.Utf8()),
    event_timestamp: timestampVector(BigInt64Array.from([10n, 20n, 20n, 5n, 30n, 25n, 99n]), { timezone: "UTC" }),
    created_timestamp: timestampVector(BigInt64Array.from([1n, 2n, 3n, 1n, 1n, 1n, 1n]), { timezone: "UTC" }),
    missed: arrow.vectorFromArray([1n, 2n, 3n, 4n, 5n, 6n, 7n], new arrow.Int64()),
  });
}

Deno.test("latestPerKey: latest row in the inclusive window, ties to the larger created timestamp", () => {
  const out = latestPerKey(view, table(), { startMicros: 5, endMicros: 20 });
  assertEquals(out.schema.fields.map((f) => f.name), [
    "dob_ssn",
    "missed_payments_6m",
    "event_timestamp",
    "created_timestamp",
  ]);
  assertEquals([...out.getChild("dob_ssn")!], ["a", "b"]);
  assertEquals([...out.getChild("missed_payments_6m")!], [3n, 4n]); // a: tie at 20 -> created 3; b: 5 (30 outside)
  const all = latestPerKey(view, table(), { startMicros: 0, endMicros: 1000 });
  assertEquals([...all.getChild("missed_payments_6m")!], [3n, 5n, 7n]);
  const none = latestPerKey(view, table(), { startMicros: 100, endMicros: 200 });
  assertEquals(none.numRows, 0);
});

Deno.test("FileOfflineStore.pullLatest loads only the view's columns; missing ones are named", async () => {
  let asked: string[] = [];
  const store = new FileOfflineStore({
    loadSource: (_v, columns) => {
      asked = columns;
      return Promise.resolve(table().select(columns));
    },
  });
  const out = await store.pullLatest(view, { startMicros: 0, endMicros: 25 });
  assertEquals(asked, viewSourceColumns(view));
  assertEquals(out.numRows, 2);
  assertThrows(
    () => latestPerKey(view, table().select(["ssn", "event_timestamp"]), { startMicros: 0, endMicros: 1 }),
    Error,
    `Column "created_timestamp" is missing from source "mem://credit"`,
  );
});
