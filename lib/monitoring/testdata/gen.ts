/**
 * The TypeScript twin of make_fixtures.py's sample generator: the same integer hash gives the same doubles, so
 * large fixture samples need not be stored.
 *
 * @example
 * ```ts
 * import { generate } from "./gen.ts";
 * generate({ gen: "irwin", n: 5, seed: 1, scale: 1, shift: 0 }).length; // 5
 * ```
 * @module
 */

/** A generated sample's description (see make_fixtures.py). */
export interface GenSpec {
  gen: "irwin" | "int";
  n: number;
  seed: number;
  scale: number;
  shift: number;
}

/** Uniform in [0, 1) from an index and seed (make_fixtures.py `hash_u01`). */
export function hashU01(i: number, seed: number): number {
  let h = (Math.imul(i, 2654435761) + ((seed * 40503) >>> 0)) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h = (h ^ (h >>> 12)) >>> 0;
  h = Math.imul(h, 0x297a2d39) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  return h / 4294967296.0;
}

/** The sample a spec describes, or the literal values. */
export function generate(spec: GenSpec | number[]): Float64Array {
  if (Array.isArray(spec)) return Float64Array.from(spec);
  const out = new Float64Array(spec.n);
  if (spec.gen === "irwin") {
    for (let i = 0; i < spec.n; i++) {
      const a = hashU01(3 * i, spec.seed), b = hashU01(3 * i + 1, spec.seed), c = hashU01(3 * i + 2, spec.seed);
      out[i] = (a + b + c - 1.5) * spec.scale + spec.shift;
    }
  } else {
    for (let i = 0; i < spec.n; i++) out[i] = Math.floor(hashU01(i, spec.seed) * spec.scale) + spec.shift;
  }
  return out;
}

/** A fixture number: "inf", "-inf" and "nan" come as strings. */
export function fixtureNumber(x: number | string): number {
  if (typeof x === "number") return x;
  return x === "inf" ? Infinity : x === "-inf" ? -Infinity : NaN;
}

/** Asserts |actual - expected| <= rtol * |expected| (infinities and NaN must match exactly). */
export function assertClose(actual: number, expected: number, rtol: number, what: string): void {
  if (Number.isNaN(expected) || !Number.isFinite(expected) || expected === 0) {
    const ok = Number.isNaN(expected)
      ? Number.isNaN(actual)
      : expected === 0
      ? Math.abs(actual) <= 1e-300
      : actual === expected;
    if (!ok) throw new Error(`${what}: got ${actual}, expected ${expected}`);
    return;
  }
  const rel = Math.abs(actual - expected) / Math.abs(expected);
  if (!(rel <= rtol)) {
    throw new Error(`${what}: got ${actual}, expected ${expected} (relative error ${rel.toExponential(2)})`);
  }
}

/** The fixtures written by make_fixtures.py. */
// deno-lint-ignore no-explicit-any
export const FIXTURES: any = JSON.parse(
  await Deno.readTextFile(new URL("./scipy_fixtures.json", import.meta.url)),
);
