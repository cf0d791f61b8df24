import * as arrow from "apache-arrow";
import { assertEquals } from "@std/assert";
import { tableColumns, toDataFrame } from "./dataframe.ts";
import { timestampVector } from "./arrow_util.ts";

Deno.test("tableColumns and toDataFrame: Int64 to number, timestamps to Date, nulls kept", async () => {
  const table = new arrow.Table({
    loan_id: arrow.vectorFromArray([10000n, null], new arrow.Int64()),
    intent: arrow.vectorFromArray(["EDUCATION", "VENTURE"]),
    event_timestamp: timestampVector(BigInt64Array.from([1627492159623001n, 0n]), { timezone: "UTC" }),
  });
  const cols = tableColumns(table);
  assertEquals(cols.loan_id, [10000, null]);
  assertEquals((cols.event_timestamp[0] as Date).toISOString(), "2021-07-28T17:09:19.623Z");
  const df = await toDataFrame(table);
  assertEquals(df.shape, [2, 3]);
  assertEquals(df.columns, ["loan_id", "intent", "event_timestamp"]);
  assertEquals(df.column("intent").values, ["EDUCATION", "VENTURE"]);
});
