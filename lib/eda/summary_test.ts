import * as arrow from "apache-arrow";
import { assertEquals, assertThrows } from "@std/assert";
import { missingShares, quantileSorted, sortedValues, summarizeColumns } from "./summary.ts";
import { columnKind, numericColumn, textColumn } from "./columns.ts";
import { timestampVector } from "../io/arrow_util.ts";

function loans(): arrow.Table {
  return new arrow.Table({
    age: arrow.vectorFromArray([30n, null, 45n, 22n], new arrow.Int64()),
    rate: arrow.vectorFromArray([10.5, NaN, 12.0, null], new arrow.Float64()),
    intent: arrow.vectorFromArray(["EDUCATION", "MEDICAL", null, "MEDICAL"], new arrow.Utf8()),
    at: timestampVector(BigInt64Array.of(1_600_000_000_000_000n, 1_700_000_000_000_000n, 0n, 1n), {
      timezone: "UTC",
    }),
  });
}

Deno.test("columns: kinds, numbers with nulls and NaN as NaN, timestamps as ms, sliced tables", () => {
  const t = loans();
  assertEquals(t.schema.fields.map((f) => columnKind(f.type)), ["numeric", "numeric", "categorical", "temporal"]);
  assertEquals(Array.from(numericColumn(t, "age")), [30, NaN, 45, 22]);
  assertEquals(Array.from(numericColumn(t, "rate")), [10.5, NaN, 12, NaN]);
  assertEquals(numericColumn(t, "at")[0], 1_600_000_000_000);
  assertEquals(textColumn(t, "intent"), ["EDUCATION", "MEDICAL", null, "MEDICAL"]);
  assertEquals(Array.from(numericColumn(t.slice(2, 4), "age")), [45, 22]);
  assertThrows(() => numericColumn(t, "intent"), Error, `Column "intent" is Utf8, not numeric`);
  assertThrows(
    () => numericColumn(t, "nope"),
    Error,
    `Column "nope" is not in the table; columns: age, rate, intent, at`,
  );
});

Deno.test("quantileSorted interpolates like numpy; sortedValues drops NaN", () => {
  const s = sortedValues(Float64Array.of(4, NaN, 1, 3, 2));
  assertEquals(Array.from(s), [1, 2, 3, 4]);
  assertEquals(quantileSorted(s, 0.5), 2.5);
  assertEquals(quantileSorted(s, 0.25), 1.75);
  assertEquals(quantileSorted(s, 1), 4);
  assertEquals(quantileSorted(new Float64Array(0), 0.5), NaN);
  assertThrows(() => quantileSorted(s, 1.5), Error, `Quantile "1.5"`);
});

Deno.test("summarizeColumns: missing, distinct, quartiles and mean of numbers; top value of text; time range", () => {
  const [age, rate, intent, at] = summarizeColumns(loans());
  assertEquals(age, {
    column: "age",
    type: "Int64",
    kind: "numeric",
    rows: 4,
    missing: 1,
    missing_share: 0.25,
    distinct: 3,
    min: 22,
    p25: 26,
    median: 30,
    p75: 37.5,
    max: 45,
    mean: 32.3333,
    top: null,
    top_share: null,
  });
  assertEquals([rate.missing, rate.distinct, rate.min, rate.max], [2, 2, 10.5, 12]);
  assertEquals([intent.missing, intent.distinct, intent.top, intent.top_share], [1, 2, "MEDICAL", 0.6667]);
  assertEquals([at.min, at.max, at.distinct], ["1970-01-01T00:00:00.000Z", "2023-11-14T22:13:20.000Z", 4]);
  assertEquals(summarizeColumns(loans(), { columns: ["intent"] }).length, 1);
  assertThrows(() => summarizeColumns(loans(), { columns: ["x"] }), Error, `Column "x" is not in the table`);
});

Deno.test("missingShares: most missing first, NaN counts as missing in float columns, clean columns only when asked", () => {
  assertEquals(missingShares(loans()), [
    { column: "rate", missing: 2, missing_share: 0.5 },
    { column: "age", missing: 1, missing_share: 0.25 },
    { column: "intent", missing: 1, missing_share: 0.25 },
  ]);
  assertEquals(missingShares(loans(), { all: true }).map((m) => m.column), ["rate", "age", "intent", "at"]);
});
