import { assertEquals } from "@std/assert";
import { featureTimeCheck, splitOverlap } from "./leakage.ts";

Deno.test("splitOverlap: ordered parts pass; an overlap in time or a shared id is named", () => {
  assertEquals(splitOverlap([{ name: "train", times: [1, 2] }, { name: "test", times: [2, 3] }]).ok, true);
  const bad = splitOverlap([{ name: "train", times: [1, 5], ids: [1, 2] }, { name: "test", times: [3], ids: [2] }]);
  assertEquals(bad.ok, false);
  assertEquals(bad.problems.length, 2);
  assertEquals(bad.parts[0], {
    part: "train",
    rows: 2,
    from: new Date(1).toISOString(),
    to: new Date(5).toISOString(),
  });
});

Deno.test("featureTimeCheck: values from an earlier source row pass, values only in a later one are leaks", () => {
  const source = {
    view: "history",
    joinKeys: ["id"],
    features: ["missed"],
    rows: [{ id: 1, missed: 0, time: 100 }, { id: 1, missed: 3, time: 300 }, { id: 2, missed: 1, time: 50 }],
  };
  const rows = [
    { id: 1, missed: 0, time: 200 }, // the row at 100: fine
    { id: 1, missed: 3, time: 200 }, // only the row at 300 holds 3: a leak
    { id: 2, missed: null, time: 200 }, // null (e.g. past the ttl): unmatched, not a leak
  ];
  const [r] = featureTimeCheck(rows, [source]);
  assertEquals([r.checked, r.at_or_before, r.leaks, r.unmatched], [3, 1, 1, 1]);
  assertEquals(r.worst_lead_days, 100 / 86_400_000);
});
