import * as arrow from "apache-arrow";
import { assertEquals, assertThrows } from "@std/assert";
import { splitByTime } from "./split.ts";
import { timestampVector } from "../io/mod.ts";

Deno.test("splitByTime puts the newest share of rows (by time, not position) in newer", () => {
  const times = [5, 1, 4, 2, 3].map((d) => BigInt(d) * 86_400_000_000n);
  const t = new arrow.Table({
    event_timestamp: timestampVector(BigInt64Array.from(times)),
    x: arrow.makeVector(Float64Array.from([50, 10, 40, 20, 30])),
  });
  const { older, newer, cutoff } = splitByTime(t, { column: "event_timestamp", newestShare: 0.4 });
  assertEquals(Array.from(older.getChild("x")!.toArray()), [10, 20, 30]);
  assertEquals(Array.from(newer.getChild("x")!.toArray()), [40, 50]);
  assertEquals(cutoff, "1970-01-05T00:00:00.000000Z");
  assertThrows(() => splitByTime(t, { column: "when", newestShare: 0.2 }), Error, `Column "when"`);
  assertThrows(() => splitByTime(t, { column: "event_timestamp", newestShare: 1 }), Error, "Newest share 1");
});

Deno.test("splitByTime with from: rows at or after that time are newer; null times stay older", () => {
  const day = 86_400_000_000n;
  const times = [5n, 1n, 4n, 2n, 3n].map((d) => d * day);
  const t = new arrow.Table({
    event_timestamp: timestampVector(BigInt64Array.from(times), { validity: Uint8Array.from([1, 1, 1, 1, 0]) }),
    x: arrow.makeVector(Float64Array.from([50, 10, 40, 20, 30])),
  });
  const at = splitByTime(t, { column: "event_timestamp", from: "1970-01-05T00:00:00Z" });
  assertEquals(Array.from(at.older.getChild("x")!.toArray()), [30, 10, 20]);
  assertEquals(Array.from(at.newer.getChild("x")!.toArray()), [40, 50]);
  assertEquals(at.cutoff, "1970-01-05T00:00:00.000000Z");
  const later = splitByTime(t, { column: "event_timestamp", from: new Date(Date.UTC(1970, 0, 7)) });
  assertEquals([later.older.numRows, later.newer.numRows, later.cutoff], [5, 0, null]);
  assertThrows(() => splitByTime(t, { column: "event_timestamp", from: "soon" }), Error, `Split time "soon"`);
});
