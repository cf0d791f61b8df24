import * as arrow from "apache-arrow";
import { assertEquals, assertThrows } from "@std/assert";
import { periodStart, rateByPeriod, rateBySegment, targetRate } from "./rates.ts";
import { timestampVector } from "../io/arrow_util.ts";

const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

function table(): arrow.Table {
  return new arrow.Table({
    at: timestampVector(
      BigInt64Array.of(
        us("2021-01-05T00:00:00Z"),
        us("2021-01-31T23:59:59Z"),
        us("2021-02-01T00:00:00Z"),
        us("2021-04-10T12:00:00Z"),
        us("2021-04-11T12:00:00Z"),
      ),
      { timezone: "UTC" },
    ),
    y: arrow.vectorFromArray([1n, 0n, 1n, 0n, null], new arrow.Int64()),
    intent: arrow.vectorFromArray(["A", "B", "A", null, "A"]),
    age: arrow.vectorFromArray([20, 30, 40, 50, 60], new arrow.Float64()),
  });
}

Deno.test("periodStart: day, Monday of the week, month, quarter, year (UTC)", () => {
  const t = Date.parse("2021-05-16T13:00:00Z"); // a Sunday
  const iso = (p: Parameters<typeof periodStart>[1]) => new Date(periodStart(t, p)).toISOString().slice(0, 10);
  assertEquals(["day", "week", "month", "quarter", "year"].map((p) => iso(p as never)), [
    "2021-05-16",
    "2021-05-10",
    "2021-05-01",
    "2021-04-01",
    "2021-01-01",
  ]);
  assertThrows(() => periodStart(t, "decade" as never), Error, `Period "decade"`);
});

Deno.test("rateByPeriod: per month and quarter, rows without target left out, empty periods absent", () => {
  assertEquals(rateByPeriod(table(), { time: "at", target: "y" }), [
    { period: "2021-01", start: "2021-01-01T00:00:00.000Z", rows: 2, positives: 1, rate: 0.5 },
    { period: "2021-02", start: "2021-02-01T00:00:00.000Z", rows: 1, positives: 1, rate: 1 },
    { period: "2021-04", start: "2021-04-01T00:00:00.000Z", rows: 1, positives: 0, rate: 0 },
  ]);
  assertEquals(rateByPeriod(table(), { time: "at", target: "y", period: "quarter" }).map((r) => [r.period, r.rows]), [
    ["2021-Q1", 3],
    ["2021-Q2", 1],
  ]);
  assertThrows(
    () => rateByPeriod(table(), { time: "age", target: "y" }),
    Error,
    `Column "age" is Float64, not a timestamp`,
  );
});

Deno.test("rateBySegment: categories with a (missing) segment; numeric bands by edges or quantiles", () => {
  assertEquals(rateBySegment(table(), { segment: "intent", target: "y" }), [
    { segment: "A", rows: 2, share: 0.5, positives: 2, rate: 1 },
    { segment: "(missing)", rows: 1, share: 0.25, positives: 0, rate: 0 },
    { segment: "B", rows: 1, share: 0.25, positives: 0, rate: 0 },
  ]);
  assertEquals(
    rateBySegment(table(), { segment: "age", target: "y", edges: [25, 45] }).map((r) => [r.segment, r.rows]),
    [
      ["< 25", 1],
      ["25–45", 2],
      ["≥ 45", 1],
    ],
  );
  assertEquals(rateBySegment(table(), { segment: "age", target: "y", bands: 2 }).map((r) => r.segment), [
    "< 40",
    "≥ 40",
  ]);
  assertEquals(rateBySegment(table(), { segment: "intent", target: "y", sort: "rate" })[0].segment, "A");
  assertThrows(() => rateBySegment(table(), { segment: "age", target: "y", edges: [5, 1] }), Error, "ascending");
  assertThrows(() => rateBySegment(table(), { segment: "age", target: "y", bands: 1 }), Error, `Bands of "age"`);
});

Deno.test("targetRate, and a target that is not 0/1 is refused naming the row", () => {
  assertEquals(targetRate(table(), "y"), { rows: 4, positives: 2, rate: 0.5 });
  const bad = arrow.tableFromArrays({ y: Float64Array.of(0, 2) });
  assertThrows(() => targetRate(bad, "y"), Error, `Target "y" is "2" at row 1; expected 0 or 1`);
});
