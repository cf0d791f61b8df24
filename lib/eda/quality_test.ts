import * as arrow from "apache-arrow";
import { assertEquals, assertThrows } from "@std/assert";
import { describeSpikes, numericColumnNames, rangeFlags, spikeFlags } from "./quality.ts";
import { toDataFrame } from "../io/dataframe.ts";

const people = () =>
  arrow.tableFromArrays({
    age: Float64Array.of(17, 30, 144, 45, NaN, 60),
    emp: Float64Array.of(0, 12, 3, 123, 5, -1),
    income: Float64Array.of(1, 2, 3, 4, 5, 6),
  });

Deno.test("rangeFlags counts values below, above and over another column per declared rule", async () => {
  const rules = [
    { column: "age", min: 18, max: 100, label: "age" },
    { column: "emp", min: 0, maxColumn: "age", label: "employment length" },
    { column: "income", min: 0 },
    { column: "missing_col", max: 3 },
    { column: "income", maxColumn: "nope" },
  ];
  const flags = rangeFlags(people(), rules);
  assertEquals(flags[0], {
    column: "age",
    rule: "18 ≤ age ≤ 100",
    checked: 5,
    outside: 2,
    share: 0.4,
    below: 1,
    above: 1,
    above_column: 0,
    lowest: 17,
    highest: 144,
    note: null,
  });
  // 123 years of employment at 45, and -1: two rows outside; the null age row is not compared with its cap
  assertEquals([flags[1].rule, flags[1].outside, flags[1].below, flags[1].above_column], [
    "employment length ≥ 0, employment length ≤ age",
    2,
    1,
    1,
  ]);
  assertEquals([flags[2].rule, flags[2].outside, flags[2].note], ["income ≥ 0", 0, null]);
  assertEquals([flags[3].checked, flags[3].note], [0, "not in the table"]);
  assertEquals(flags[4].note, `"nope" (its upper bound) is not in the table`);
  // a repo declaring nothing gets nothing, and a DataFrame gives the same flags as its table
  assertEquals(rangeFlags(people(), []), []);
  assertEquals(rangeFlags(await toDataFrame(people()), rules), flags);
});

Deno.test("spikeFlags: one value holding >= 10% of a many-valued numeric column, 3x the next; codes are never flagged", async () => {
  const n = 1000;
  const rate = Float64Array.from({ length: n }, (_, i) => (i % 8 === 0 ? 11 : 20 + (i % 97) / 10)); // 12.5% at 11
  const smooth = Float64Array.from({ length: n }, (_, i) => i / 10);
  const code = Float64Array.from({ length: n }, (_, i) => i % 5); // 5 values: 20% each, a code
  const twoPeaks = Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : i % 4 === 1 ? 2 : 3 + i)); // 25% + 25%
  const table = arrow.tableFromArrays({ rate, smooth, code, twoPeaks, name: Array.from({ length: n }, () => "x") });
  const flags = spikeFlags(table);
  assertEquals(flags.length, 1);
  assertEquals(flags[0].column, "rate");
  assertEquals(flags[0].value, 11);
  assertEquals(flags[0].rows, 125);
  assertEquals(flags[0].share, 0.125);
  assertEquals(flags[0].distinct > 20, true);
  assertEquals(flags[0].next_share < 0.125 / 3, true);
  // the thresholds are options; a DataFrame gives the same flags
  assertEquals(spikeFlags(table, { minShare: 0.2 }), []);
  assertEquals(spikeFlags(table, { minRatio: 1 }).map((f) => f.column), ["twoPeaks", "rate"]);
  assertEquals(spikeFlags(await toDataFrame(table)), flags);
  // listed columns that are not numeric are passed over (a source's key or text columns); a missing one is an error
  assertEquals(spikeFlags(table, { columns: ["name", "rate"] }), flags);
  assertThrows(() => spikeFlags(table, { columns: ["nosuch"] }), Error, "nosuch");
  assertEquals(numericColumnNames(table, ["name", "rate", "nosuch"]), ["rate", "nosuch"]);
  assertEquals(numericColumnNames(table), ["rate", "smooth", "code", "twoPeaks"]);
  assertEquals(
    describeSpikes(flags, { name: "loans", checked: 4 }),
    "**Spikes in `loans`**: `rate` = 11 in 12.5% of the rows (the next most common value: 1.0%).",
  );
  assertEquals(describeSpikes([], { name: "loans", checked: 1 }), "No spike in the 1 numeric column of `loans`.");
});
