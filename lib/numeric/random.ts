/**
 * The project's one pseudo-random generator: xoshiro128** seeded through splitmix32. The same seed gives the same
 * numbers everywhere: training (batch shuffles), the champion comparison's bootstrap, the synthetic data generator
 * (an independent stream per (seed, purpose, block) with {@link Rng.fromKey}, deterministic whatever the batch size),
 * tests and benchmarks. {@link Rng} has the draws (uniform, normal, integer, Poisson, Bernoulli);
 * {@link seededRandom} is its uniform draw as a plain function.
 *
 * @example
 * ```ts
 * import { Rng, seededRandom } from "./random.ts";
 * const r = seededRandom(7);
 * r(); // a number in [0, 1)
 * new Rng(7).normal(); // a standard normal draw
 * ```
 * @module
 */

/** Mixes a 32-bit state one splitmix32 step; returns the next state and output. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/**
 * Hashes a list of non-negative integers (each below 2^53) into one 32-bit value.
 *
 * @example
 * ```ts
 * import { hashInts } from "./random.ts";
 * const a = hashInts([42, 1, 7]);
 * console.assert(a === hashInts([42, 1, 7]) && a !== hashInts([42, 1, 8]));
 * ```
 */
export function hashInts(values: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) {
    const lo = v >>> 0;
    const hi = Math.floor(v / 4294967296) >>> 0;
    for (const part of [lo, hi]) {
      h = Math.imul(h ^ part, 0x01000193);
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
      h ^= h >>> 12;
    }
  }
  return h >>> 0;
}

/**
 * xoshiro128** generator with helpers for uniforms, normals, integers and Poisson counts.
 *
 * @example
 * ```ts
 * import { Rng } from "./random.ts";
 * const rng = Rng.fromKey([42, 0, 3]);
 * const u = rng.next();
 * console.assert(u >= 0 && u < 1);
 * ```
 */
export class Rng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;
  #spareNormal = NaN;

  /** Seeds the four state words from a 32-bit seed through splitmix32. */
  constructor(seed: number) {
    let st = seed | 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(st);
      st = next;
      words.push(out);
    }
    if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1;
    [this.#s0, this.#s1, this.#s2, this.#s3] = words;
  }

  /**
   * A generator seeded from a key of integers (for example seed, stream id and block index).
   *
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * console.assert(Rng.fromKey([1, 2]).nextUint32() === Rng.fromKey([1, 2]).nextUint32());
   * ```
   */
  static fromKey(key: readonly number[]): Rng {
    return new Rng(hashInts(key));
  }

  /**
   * The next 32-bit unsigned integer.
   *
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * const x = new Rng(1).nextUint32();
   * console.assert(Number.isInteger(x) && x >= 0 && x < 2 ** 32);
   * ```
   */
  nextUint32(): number {
    const s0 = this.#s0, s1 = this.#s1, s2 = this.#s2, s3 = this.#s3;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.#s1 = s1 ^ n2;
    this.#s0 = s0 ^ n3;
    this.#s2 = n2 ^ t;
    this.#s3 = (n3 << 11) | (n3 >>> 21);
    return result;
  }

  /**
   * A uniform double in [0, 1) with 53 random bits.
   *
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * const u = new Rng(7).next();
   * console.assert(u >= 0 && u < 1);
   * ```
   */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * A uniform double in the open interval (0, 1), safe for logarithms and inverse CDFs.
   *
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * const u = new Rng(7).nextOpen();
   * console.assert(u > 0 && u < 1);
   * ```
   */
  nextOpen(): number {
    return (this.nextUint32() + 0.5) / 4294967296;
  }

  /**
   * A uniform integer in [0, n).
   *
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * const k = new Rng(3).int(10);
   * console.assert(k >= 0 && k < 10);
   * ```
   */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /**
   * A uniform double in [lo, hi).
   *
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * const x = new Rng(3).uniform(5, 6);
   * console.assert(x >= 5 && x < 6);
   * ```
   */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /**
   * A standard normal draw (Box-Muller, the second value of a pair is kept for the next call).
   *
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * console.assert(Number.isFinite(new Rng(3).normal()));
   * ```
   */
  normal(): number {
    if (!Number.isNaN(this.#spareNormal)) {
      const v = this.#spareNormal;
      this.#spareNormal = NaN;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(this.nextOpen()));
    const theta = 2 * Math.PI * this.next();
    this.#spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /**
   * A Poisson count with mean `lambda` (inversion for small means, a rounded normal above 30).
   *
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * const k = new Rng(3).poisson(2);
   * console.assert(Number.isInteger(k) && k >= 0);
   * ```
   */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    let k = 0;
    let p = Math.exp(-lambda);
    let cdf = p;
    const u = this.next();
    while (u > cdf && k < 1000) {
      k++;
      p *= lambda / k;
      cdf += p;
    }
    return k;
  }

  /**
   * True with probability `p`.
   *
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * console.assert(new Rng(3).bernoulli(1) === true);
   * ```
   */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }
}

/**
 * A seeded generator of uniform numbers in [0, 1) as a plain function: {@link Rng.next} of `new Rng(seed)`.
 *
 * @example
 * ```ts
 * import { seededRandom } from "./random.ts";
 * const r = seededRandom(7);
 * r() === seededRandom(7)(); // true
 * ```
 */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}
