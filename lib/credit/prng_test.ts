import { assert, assertAlmostEquals, assertEquals, assertNotEquals } from "@std/assert";
import { hashInts, Rng } from "./prng.ts";

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
