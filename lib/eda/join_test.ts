import * as arrow from "apache-arrow";
import { assertEquals, assertThrows } from "@std/assert";
import { groupFeatureRefs, joinReport, viewCoverage } from "./join.ts";

const entities = arrow.tableFromArrays({ id: Int32Array.of(1, 2, 3) });
const joined = new arrow.Table({
  id: arrow.vectorFromArray([1, 2, 3], new arrow.Int32()),
  debt: arrow.vectorFromArray([10n, null, 30n], new arrow.Int64()),
  score: arrow.vectorFromArray([0.5, NaN, null], new arrow.Float64()),
  state: arrow.vectorFromArray(["TX", "CA", "NY"], new arrow.Utf8()),
});

Deno.test("joinReport: added columns with matched shares (NaN counts as missing), complete rows, kept rows", () => {
  const r = joinReport(entities, joined);
  assertEquals(r.entityRows, 3);
  assertEquals(r.allRowsKept, true);
  assertEquals(r.droppedColumns, []);
  assertEquals(r.added, [
    { column: "debt", type: "Int64", matched: 2, matched_share: 0.6667, missing: 1 },
    { column: "score", type: "Float64", matched: 1, matched_share: 0.3333, missing: 2 },
    { column: "state", type: "Utf8", matched: 3, matched_share: 1, missing: 0 },
  ]);
  assertEquals(r.completeRows, 1);
  const lost = joinReport(
    arrow.tableFromArrays({ id: Int32Array.of(1, 2, 3, 4), x: Int32Array.of(1, 2, 3, 4) }),
    joined,
  );
  assertEquals([lost.allRowsKept, lost.droppedColumns], [false, ["x"]]);
});

Deno.test("viewCoverage and groupFeatureRefs: rows with every column of a view", () => {
  const views = groupFeatureRefs(["history:debt", "history:score", "zip:state"]);
  assertEquals(views, { history: ["debt", "score"], zip: ["state"] });
  assertEquals(viewCoverage(entities, joined, views), [
    { view: "history", columns: 2, matched_rows: 1, matched_share: 0.3333 },
    { view: "zip", columns: 1, matched_rows: 3, matched_share: 1 },
  ]);
  assertThrows(() => viewCoverage(entities, joined, { v: ["nope"] }), Error, `Column "nope" of view "v"`);
  assertThrows(() => groupFeatureRefs(["plain"]), Error, `"plain" is not "view:feature"`);
});
