import * as arrow from "apache-arrow";
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { describeFrame, valueCountsFrame } from "./frames.ts";
import { toDataFrame } from "../io/dataframe.ts";
import { timestampVector } from "../io/arrow_util.ts";

async function frame() {
  return await toDataFrame(
    new arrow.Table({
      amount: arrow.vectorFromArray([10, null, 30, 40], new arrow.Float64()),
      term: arrow.vectorFromArray([12n, 36n, 36n, null], new arrow.Int64()),
      intent: arrow.vectorFromArray(["EDU", null, "HOME", "EDU"]),
      at: timestampVector(BigInt64Array.from([0n, 1n, 2n, 3n]), { validity: Uint8Array.of(0, 1, 1, 1) }),
    }),
  );
}

Deno.test("describeFrame: numeric columns only, missing values skipped and counted, statistic names as a column", async () => {
  const d = describeFrame(await frame());
  assertEquals(d.columns, ["statistic", "amount", "term"]);
  assertEquals(d.column("statistic").values, ["count", "missing", "mean", "std", "min", "median", "max"]);
  const amount = d.column("amount").values as number[];
  assertEquals([amount[0], amount[1], amount[2], amount[4], amount[5], amount[6]], [3, 1, 80 / 3, 10, 30, 40]);
  assertAlmostEquals(amount[3], 15.275252, 1e-6);
  assertEquals(d.column("term").values.slice(0, 3), [3, 1, 28]);
  assertThrows(() => describeFrame(d.loc({ columns: ["statistic"] })), Error, "no numeric column");
  assertThrows(() => describeFrame(d, { columns: ["nope"] }), Error, `Column "nope" is not in the DataFrame`);
  const df = await frame();
  assertThrows(() => describeFrame(df, { columns: ["intent"] }), Error, `Column "intent" does not hold numbers`);
});

Deno.test("valueCountsFrame: most common first, (missing) counted, top pools the rest", async () => {
  const df = await frame();
  const v = valueCountsFrame(df, "intent");
  assertEquals(v.columns, ["intent", "rows", "share"]);
  assertEquals(v.column("intent").values, ["EDU", "HOME", "(missing)"]);
  assertEquals(v.column("rows").values, [2, 1, 1]);
  assertEquals(v.column("share").values, [0.5, 0.25, 0.25]);
  const top = valueCountsFrame(df, "intent", { top: 1 });
  assertEquals(top.column("intent").values, ["EDU", "(other)"]);
  assertEquals(top.column("rows").values, [2, 2]);
});
