import { assert, assertAlmostEquals, assertEquals, assertNotEquals } from "@std/assert";
import { hashInts, Rng, seededRandom } from "./random.ts";

Deno.test("Rng gives the same stream for the same seed and another for another seed", () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xs = Array.from({ length: 8 }, () => a.nextUint32());
  assertEquals(Array.from({ length: 8 }, () => b.nextUint32()), xs);
  assertNotEquals(Array.from({ length: 8 }, () => c.nextUint32()), xs);
});

Deno.test("hashInts separates keys that differ in any position, including above 2^32", () => {
  const keys = [[1, 2, 3], [1, 2, 4], [2, 1, 3], [1, 2, 3 + 2 ** 32], [1, 2]];
  assertEquals(new Set(keys.map(hashInts)).size, keys.length);
});

Deno.test("Rng uniforms and normals have the expected moments", () => {
  const rng = Rng.fromKey([7, 1]);
  const n = 100_000;
  let su = 0, sn = 0, sn2 = 0, sp = 0;
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    assert(u >= 0 && u < 1);
    su += u;
    const z = rng.normal();
    sn += z;
    sn2 += z * z;
    sp += rng.poisson(2.5);
  }
  assertAlmostEquals(su / n, 0.5, 0.01);
  assertAlmostEquals(sn / n, 0, 0.02);
  assertAlmostEquals(sn2 / n, 1, 0.02);
  assertAlmostEquals(sp / n, 2.5, 0.03);
});

Deno.test("Rng.int stays in range and hits every value", () => {
  const rng = new Rng(5);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) seen.add(rng.int(7));
  assertEquals([...seen].sort(), [0, 1, 2, 3, 4, 5, 6]);
});

Deno.test("seededRandom: the same seed gives the same numbers in [0, 1), another seed others", () => {
  const a = seededRandom(42), b = seededRandom(42), c = seededRandom(43);
  const xs = Array.from({ length: 1000 }, () => a());
  assertEquals(xs, Array.from({ length: 1000 }, () => b()));
  assert(xs.every((x) => x >= 0 && x < 1));
  assert(xs.some((x) => x !== c()));
});

/** xoshiro128** seeded through splitmix32, written again with BigInt arithmetic as an independent reference. */
function referenceStream(seed: number, count: number): number[] {
  const M = (1n << 32n) - 1n;
  const mul = (a: bigint, b: bigint) => (a * b) & M;
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;
  let st = BigInt(seed >>> 0);
  const s: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    st = (st + 0x9e3779b9n) & M;
    let z = st;
    z = mul(z ^ (z >> 16n), 0x85ebca6bn);
    z = mul(z ^ (z >> 13n), 0xc2b2ae35n);
    s.push(z ^ (z >> 16n));
  }
  const next = () => {
    const result = mul(rotl(mul(s[1], 5n), 7n), 9n);
    const t = (s[1] << 9n) & M;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
    return result;
  };
  return Array.from({ length: count }, () => {
    const hi = next() >> 5n, lo = next() >> 6n;
    return Number((hi << 26n) | lo) / 2 ** 53;
  });
}

Deno.test("seededRandom: the sequence is xoshiro128** seeded by splitmix32, pinned (seeded runs stay reproducible)", () => {
  for (const seed of [1, 42, 0xffffffff]) {
    const r = seededRandom(seed);
    assertEquals(Array.from({ length: 100 }, () => r()), referenceStream(seed, 100), `seed ${seed}`);
  }
  // the reference's first draw for seed 1, kept literally so that a change of both implementations shows too
  assertEquals(referenceStream(1, 1)[0], 0.5686059948349658);
  assertEquals(seededRandom(1)(), 0.5686059948349658);
});
