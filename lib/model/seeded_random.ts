/**
 * A tiny seeded pseudo-random generator (mulberry32): the same seed gives the same numbers everywhere. Training
 * (batch shuffles), the champion comparison's bootstrap, tests and benchmarks all draw from it.
 *
 * @example
 * ```ts
 * import { seededRandom } from "./seeded_random.ts";
 * const r = seededRandom(7);
 * r(); // a number in [0, 1)
 * ```
 * @module
 */

/**
 * A seeded pseudo-random generator (mulberry32) returning floats in [0, 1).
 *
 * @example
 * ```ts
 * const r = seededRandom(7);
 * r() === seededRandom(7)(); // true
 * ```
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
