import * as arrow from "apache-arrow";
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { computeDrift } from "./drift.ts";
import { isProfile, loadProfile, profileFromJson, profileToJson, saveProfile, sketchSample } from "./profile.ts";
import { sampleFromValues } from "./sample.ts";
import { wassersteinDistance } from "./wasserstein.ts";

Deno.test("sketchSample: equal-weight groups, exact W1 to the data", () => {
  const s = sampleFromValues(Float64Array.from([1, 2, 3, 4, 10, 10, 10, 10]));
  const sk = sketchSample(s, 4);
  assertEquals(Array.from(sk.sample.values), [1.5, 3.5, 10]);
  assertEquals(Array.from(sk.sample.counts!), [2, 2, 4]);
  assertEquals(sk.wasserstein, wassersteinDistance(s, sk.sample));
  assertEquals(sk.wasserstein, 0.25);
});

Deno.test("saveProfile/loadProfile round trip: numeric as distinct values with counts, categories kept", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ref = new arrow.Table({
      age: arrow.makeVector(Int32Array.from({ length: 300 }, (_, i) => 20 + (i % 40))),
      home: arrow.vectorFromArray(Array.from({ length: 300 }, (_, i) => (i % 3 ? "RENT" : "OWN"))),
    });
    const { profile } = await computeDrift(ref, ref, { workers: 0, referenceSource: "ref.parquet" });
    assert(isProfile(profile));
    const bytes = await saveProfile(profile, `${dir}/p.json`);
    assert(bytes > 0);
    const back = await loadProfile(`${dir}/p.json`);
    assertEquals(back.source, "ref.parquet");
    assertEquals(back.rows, 300);
    const age = back.columns.find((c) => c.column === "age")!;
    assert(age.type === "numeric");
    assertEquals(age.sample.values.length, 40, "40 distinct ages");
    assertEquals(age.sample.n, 300);
    assertEquals(age.approximate, null);
    const home = back.columns.find((c) => c.column === "home")!;
    assert(home.type === "string");
    assertEquals(home.categories, new Map([["RENT", 200], ["OWN", 100]]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad profile files are refused with the file named", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/x.json`, "{not json");
    await assertRejects(() => loadProfile(`${dir}/x.json`), Error, `File "${dir}/x.json" is not JSON`);
    assertThrows(() => profileFromJson({ format: "other" }, "p.json"), Error, `File "p.json" is not a drift profile`);
    const good = profileToJson({
      format: "drift-profile/1",
      created_at: "",
      source: "s",
      rows: 2,
      columns: [{
        column: "x",
        type: "numeric",
        rows: 2,
        missing: 0,
        sample: sampleFromValues(Float64Array.from([1, 2])),
        stats: { n: 2, min: 1, max: 2, mean: 1.5, std: 0.5, distinct: 2 },
        psi: { edges: [1.5], counts: [1, 1] },
        approximate: null,
      }],
    });
    // deno-lint-ignore no-explicit-any
    (good.columns as any)[0].counts = "AAAAAAAA8D8="; // one count for two values
    assertThrows(() => profileFromJson(good, "p.json"), Error, `column "x" has 2 values and 1 counts`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
