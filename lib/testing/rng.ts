/**
 * A tiny seeded PRNG (mulberry32) for tests and benchmarks: the same seed gives the same numbers everywhere. It is
 * the model code's {@link seededRandom}, under a short name.
 *
 * @example
 * ```ts
 * import { rng } from "./rng.ts";
 * const r = rng(42);
 * r(); // a number in [0, 1)
 * ```
 * @module
 */
import { seededRandom } from "../model/seeded_random.ts";

/**
 * A seeded generator of numbers in [0, 1).
 *
 * @example
 * ```ts
 * const r = rng(42);
 * r() === rng(42)(); // true
 * ```
 */
export const rng: (seed: number) => () => number = seededRandom;
