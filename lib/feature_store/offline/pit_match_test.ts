import { assertEquals } from "@std/assert";
import { indexFeatures, pointInTimeMatch } from "./pit_match.ts";
import { seededRandom as rng } from "../../numeric/random.ts";

/** Slow, obviously correct: scan every feature row for every entity row. */
function naiveMatch(
  eCodes: Int32Array,
  eTs: Float64Array,
  fCodes: Int32Array,
  fTs: Float64Array,
  fCreated: Float64Array | undefined,
  ttl: number,
): Int32Array {
  const out = new Int32Array(eCodes.length).fill(-1);
  for (let i = 0; i < eCodes.length; i++) {
    let best = -1;
    for (let r = 0; r < fCodes.length; r++) {
      if (eCodes[i] < 0 || fCodes[r] !== eCodes[i] || Number.isNaN(fTs[r])) continue;
      if (fTs[r] > eTs[i]) continue;
      if (ttl > 0 && fTs[r] < eTs[i] - ttl) continue;
      if (best < 0) {
        best = r;
        continue;
      }
      const cr = (x: number) => (fCreated && !Number.isNaN(fCreated[x]) ? fCreated[x] : -Infinity);
      if (fTs[r] > fTs[best] || (fTs[r] === fTs[best] && (cr(r) > cr(best) || (cr(r) === cr(best) && r > best)))) {
        best = r;
      }
    }
    out[i] = best;
  }
  return out;
}

Deno.test("pointInTimeMatch: bounds are inclusive, ties go to the larger created timestamp", () => {
  const featureCodes = Int32Array.from([0, 0, 0, 1]);
  const featureTs = Float64Array.from([100, 200, 200, 50]);
  const featureCreated = Float64Array.from([1, 5, 9, 1]);
  const entityCodes = Int32Array.from([0, 0, 0, 0, 1, -1, 2]);
  const entityTs = Float64Array.from([200, 199, 99, 300, 60, 500, 500]);
  const idx = pointInTimeMatch({
    entityCodes,
    entityTs,
    featureCodes,
    featureTs,
    featureCreated,
    numCodes: 3,
    ttlMicros: 100,
  });
  // 200 -> row 2 (tie at 200, created 9 > 5); 199 -> row 0 (100 = 199-99 within ttl 100);
  // 99 -> none; 300 -> row 2 (200 = 300 - 100, inclusive); 60 -> row 3; null key and unknown key -> none
  assertEquals(Array.from(idx), [2, 0, -1, 2, 3, -1, -1]);
  const noTtl = pointInTimeMatch({ entityCodes, entityTs, featureCodes, featureTs, featureCreated, numCodes: 3 });
  assertEquals(noTtl[3], 2);
  const justOutside = pointInTimeMatch({
    entityCodes: Int32Array.from([0]),
    entityTs: Float64Array.from([301]),
    featureCodes,
    featureTs,
    featureCreated,
    numCodes: 3,
    ttlMicros: 100,
  });
  assertEquals(Array.from(justOutside), [-1]);
});

Deno.test("pointInTimeMatch agrees with a naive scan on randomized data full of ties and nulls", () => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    const numCodes = 1 + Math.floor(r() * 20);
    const m = Math.floor(r() * 200);
    const n = Math.floor(r() * 100);
    const fCodes = Int32Array.from({ length: m }, () => (r() < 0.05 ? -1 : Math.floor(r() * numCodes)));
    const fTs = Float64Array.from({ length: m }, () => (r() < 0.03 ? NaN : Math.floor(r() * 50) * 10));
    const fCreated = r() < 0.3
      ? undefined
      : Float64Array.from({ length: m }, () => (r() < 0.1 ? NaN : Math.floor(r() * 5)));
    const eCodes = Int32Array.from({ length: n }, () => (r() < 0.05 ? -1 : Math.floor(r() * numCodes)));
    const eTs = Float64Array.from({ length: n }, () => Math.floor(r() * 55) * 10);
    const ttl = r() < 0.3 ? 0 : Math.floor(r() * 10) * 10;
    const got = pointInTimeMatch({
      entityCodes: eCodes,
      entityTs: eTs,
      featureCodes: fCodes,
      featureTs: fTs,
      featureCreated: fCreated,
      numCodes,
      ttlMicros: ttl,
    });
    assertEquals(Array.from(got), Array.from(naiveMatch(eCodes, eTs, fCodes, fTs, fCreated, ttl)), `seed ${seed}`);
  }
});

Deno.test("indexFeatures sorts large groups (over the insertion-sort size) correctly", () => {
  const m = 500;
  const codes = new Int32Array(m); // one group
  const ts = Float64Array.from({ length: m }, (_, i) => (i * 7919) % 101);
  const index = indexFeatures(codes, ts, undefined, 1);
  const sorted = Array.from(index.order, (r) => ts[r]);
  assertEquals(sorted, [...sorted].sort((a, b) => a - b));
  assertEquals(index.offsets[1], m);
});
