import * as arrow from "apache-arrow";
import { assertEquals, assertThrows } from "@std/assert";
import { featureRepo } from "../feature_store/definitions.ts";
import type { FeatureView } from "../feature_store/definitions.ts";
import { entityTimestamps, getHistoricalFeatures } from "../feature_store/offline/historical.ts";
import { ALL_FEATURES, branch, person, randomCase, views, zipcode } from "../testing/pit_cases.ts";
import { gatherNumbers, offlineJoiner } from "./features.ts";

function loaderFor(tables: Record<string, arrow.Table>) {
  return (view: FeatureView, columns: string[]) =>
    Promise.resolve(tables[(view.source as { path: string }).path.slice("mem://".length)].select(columns));
}

Deno.test("gatherNumbers reads any numeric column across chunks, with nulls and -1 as NaN", () => {
  const chunked = new arrow.Table([
    arrow.tableFromArrays({ v: BigInt64Array.of(1n, -2n) }).batches[0],
    arrow.tableFromArrays({ v: BigInt64Array.of(2n ** 40n, 7n) }).batches[0],
  ]).getChild("v")!;
  assertEquals(Array.from(gatherNumbers(chunked, Int32Array.of(3, 0, -1, 2, 1))), [7, 1, NaN, 2 ** 40, -2]);
  const withNulls = arrow.vectorFromArray([1.5, null, 3], new arrow.Float32());
  assertEquals(Array.from(gatherNumbers(withNulls, Int32Array.of(1, 2))), [NaN, 3]);
  assertThrows(() => gatherNumbers(arrow.vectorFromArray(["a"], new arrow.Utf8()), Int32Array.of(0)), TypeError);
});

Deno.test("offline joiner: batch after batch, the same features as getHistoricalFeatures (numbers and texts)", async () => {
  for (let seed = 1; seed <= 12; seed++) {
    const { entities, tables, ttlDays } = randomCase(seed);
    const v = views(ttlDays);
    const repo = featureRepo({ entities: [person, zipcode, branch], views: [v.credit, v.zips, v.branches] });
    const want = await getHistoricalFeatures(repo, { entities, features: ALL_FEATURES }, {
      loadSource: loaderFor(tables),
    });
    const joiner = await offlineJoiner(repo, ALL_FEATURES, { loadSource: loaderFor(tables) });
    assertEquals([...joiner.keyColumns].sort(), ["branch_id", "dob_ssn", "region", "zipcode"]);
    const half = Math.floor(entities.numRows / 2);
    for (const [from, to] of [[0, half], [half, entities.numRows]]) {
      const part: arrow.Table = entities.slice(from, to);
      const keys = Object.fromEntries(joiner.keyColumns.map((k) => [k, (part as arrow.Table).getChild(k)!]));
      const got = await joiner.join(keys, entityTimestamps(part, "event_timestamp", "error"));
      for (const name of joiner.names) {
        const expected = want.getChild(name)!.slice(from, to);
        const values = Array.from({ length: to - from }, (_, i) => {
          const t = got.texts[name];
          if (t) return t.codes[i] < 0 ? null : t.values[t.codes[i]];
          const x = got.numbers[name][i];
          return Number.isNaN(x) ? null : x;
        });
        const wanted = Array.from({ length: to - from }, (_, i) => {
          const x = expected.get(i);
          return x === null ? null : typeof x === "bigint" ? Number(x) : x;
        });
        assertEquals(values, wanted, `seed ${seed} ${name} rows ${from}-${to}`);
      }
    }
  }
});
