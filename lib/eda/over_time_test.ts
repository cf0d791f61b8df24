import * as arrow from "apache-arrow";
import { assertEquals, assertThrows } from "@std/assert";
import { categoryMixOverTime, featureMeansOverTime } from "./over_time.ts";
import { timestampVector } from "../io/arrow_util.ts";
import { toDataFrame } from "../io/dataframe.ts";

const day = (y: number, m: number, d: number) => BigInt(Date.UTC(y, m - 1, d)) * 1000n;

function table(): arrow.Table {
  return new arrow.Table({
    at: timestampVector(BigInt64Array.from([day(2021, 1, 5), day(2021, 1, 20), day(2021, 2, 1), day(2021, 2, 9), 0n]), {
      validity: Uint8Array.of(1, 1, 1, 1, 0),
    }),
    amount: arrow.vectorFromArray([10, 20, null, 40, 99], new arrow.Float64()),
    term: arrow.vectorFromArray([12n, 36n, 36n, 36n, 12n], new arrow.Int64()),
    intent: arrow.vectorFromArray(["A", "B", "A", null, "A"]),
    flag: arrow.vectorFromArray([true, false, true, true, true]),
  });
}

Deno.test("featureMeansOverTime: mean per month per numeric column, missing counted, rows without time left out", async () => {
  const rows = featureMeansOverTime(table(), { time: "at" });
  assertEquals(rows, [
    { column: "amount", period: "2021-01", start: "2021-01-01T00:00:00.000Z", rows: 2, missing: 0, mean: 15 },
    { column: "amount", period: "2021-02", start: "2021-02-01T00:00:00.000Z", rows: 1, missing: 1, mean: 40 },
    { column: "term", period: "2021-01", start: "2021-01-01T00:00:00.000Z", rows: 2, missing: 0, mean: 24 },
    { column: "term", period: "2021-02", start: "2021-02-01T00:00:00.000Z", rows: 2, missing: 0, mean: 36 },
  ]);
  assertEquals(featureMeansOverTime(table(), { time: "at", period: "year", columns: ["amount"] })[0].mean, 23.333333);
  assertEquals(featureMeansOverTime(await toDataFrame(table()), { time: "at" }), rows);
  assertThrows(
    () => featureMeansOverTime(table(), { time: "amount" }),
    Error,
    `Column "amount" is Float64, not a timestamp`,
  );
  assertThrows(() => featureMeansOverTime(table(), { time: "at", columns: ["intent"] }), Error, `Column "intent"`);
});

Deno.test("categoryMixOverTime: shares per month, (missing) a category, beyond top pooled as (other)", () => {
  const rows = categoryMixOverTime(table(), { time: "at", columns: ["intent"] });
  const feb = rows.filter((r) => r.period === "2021-02").map((r) => [r.category, r.rows, r.share]);
  assertEquals(feb, [["A", 1, 0.5], ["(missing)", 1, 0.5], ["B", 0, 0]]);
  const pooled = categoryMixOverTime(table(), { time: "at", columns: ["intent"], top: 1 });
  assertEquals(pooled.filter((r) => r.period === "2021-01").map((r) => [r.category, r.share]), [["A", 0.5], [
    "(other)",
    0.5,
  ]]);
  // default columns: categorical and boolean ones
  assertEquals([...new Set(categoryMixOverTime(table(), { time: "at" }).map((r) => r.column))], ["intent", "flag"]);
});
