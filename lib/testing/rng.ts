/**
 * A tiny seeded PRNG (mulberry32) for tests and benchmarks: the same seed gives the same numbers everywhere.
 *
 * @example
 * ```ts
 * import { rng } from "./rng.ts";
 * const r = rng(42);
 * r(); // a number in [0, 1)
 * ```
 * @module
 */

/** A seeded generator of numbers in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
