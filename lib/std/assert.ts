/**
 * A small stand-in for `jsr:@std/assert`, built over `node:assert/strict`.
 *
 * JSR cannot be reached from our machines, so `deno.json` maps `@std/assert`
 * here. The names and argument orders follow `@std/assert`, so swapping back is
 * one line in `deno.json`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(1 + 1, 2);
 * ```
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Error thrown by a failed assertion (same name as std's). */
export class AssertionError extends Error {
  /** @param message What did not hold. */
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

function rethrow(fn: () => void, msg?: string): void {
  try {
    fn();
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new AssertionError(msg ? `${msg}: ${detail}` : detail);
  }
}

/** Asserts that `expr` is truthy. */
export function assert(expr: unknown, msg = "Expected expression to be truthy"): asserts expr {
  if (!expr) throw new AssertionError(msg);
}

/** Asserts deep equality, like std's `assertEquals`. */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  rethrow(() => nodeAssert.deepStrictEqual(actual, expected), msg);
}

/** Asserts deep inequality. */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  rethrow(() => nodeAssert.notDeepStrictEqual(actual, expected), msg);
}

/** Asserts `actual === expected`. */
export function assertStrictEquals<T>(actual: unknown, expected: T, msg?: string): asserts actual is T {
  rethrow(() => nodeAssert.strictEqual(actual, expected), msg);
}

/** Asserts that a value is neither null nor undefined. */
export function assertExists<T>(actual: T, msg?: string): asserts actual is NonNullable<T> {
  if (actual === null || actual === undefined) {
    throw new AssertionError(msg ?? `Expected actual: "${actual}" to not be null or undefined`);
  }
}

/** Asserts `|actual - expected| <= tolerance` (absolute, std's default 1e-7). */
export function assertAlmostEquals(actual: number, expected: number, tolerance = 1e-7, msg?: string): void {
  if (Object.is(actual, expected)) return;
  const delta = Math.abs(expected - actual);
  if (!(delta <= tolerance)) {
    throw new AssertionError(
      msg ??
        `Expected actual: "${actual}" to be close to "${expected}": delta "${delta}" is greater than "${tolerance}"`,
    );
  }
}

/** Asserts that `actual` contains `expected` as a substring. */
export function assertStringIncludes(actual: string, expected: string, msg?: string): void {
  if (!actual.includes(expected)) {
    throw new AssertionError(msg ?? `Expected actual: "${actual}" to contain: "${expected}"`);
  }
}

/** Asserts that `actual` matches the regular expression. */
export function assertMatch(actual: string, expected: RegExp, msg?: string): void {
  rethrow(() => nodeAssert.match(actual, expected), msg);
}

/** Asserts `actual > expected`. */
export function assertGreater<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual > expected)) throw new AssertionError(msg ?? `Expect ${actual} > ${expected}`);
}

/** Asserts `actual >= expected`. */
export function assertGreaterOrEqual<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual >= expected)) throw new AssertionError(msg ?? `Expect ${actual} >= ${expected}`);
}

/** Asserts `actual < expected`. */
export function assertLess<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual < expected)) throw new AssertionError(msg ?? `Expect ${actual} < ${expected}`);
}

/** Asserts `actual <= expected`. */
export function assertLessOrEqual<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual <= expected)) throw new AssertionError(msg ?? `Expect ${actual} <= ${expected}`);
}

/** Asserts that `actual` is an instance of `expectedType`. */
// deno-lint-ignore no-explicit-any
export function assertInstanceOf<T extends abstract new (...args: any[]) => unknown>(
  actual: unknown,
  expectedType: T,
  msg?: string,
): asserts actual is InstanceType<T> {
  if (!(actual instanceof expectedType)) {
    throw new AssertionError(msg ?? `Expected object to be an instance of "${expectedType.name}"`);
  }
}

type ErrorClass<E extends Error> = new (...args: never[]) => E;

function checkError<E extends Error>(
  err: unknown,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
): E {
  if (!(err instanceof Error)) throw new AssertionError(`A non-Error object was thrown: ${String(err)}`);
  if (ErrorClass && !(err instanceof ErrorClass)) {
    throw new AssertionError(
      `Expected error to be instance of "${ErrorClass.name}", but was "${err.name}": ${err.message}`,
    );
  }
  if (msgIncludes !== undefined && !err.message.includes(msgIncludes)) {
    throw new AssertionError(`Expected error message to include "${msgIncludes}", but got "${err.message}"`);
  }
  return err as E;
}

/** Asserts that `fn` throws; returns the error. */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
): E {
  try {
    fn();
  } catch (err) {
    return checkError(err, ErrorClass, msgIncludes);
  }
  throw new AssertionError(msg ?? "Expected function to throw.");
}

/** Asserts that the promise returned by `fn` rejects; returns the error. */
export async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
): Promise<E> {
  try {
    await fn();
  } catch (err) {
    return checkError(err, ErrorClass, msgIncludes);
  }
  throw new AssertionError(msg ?? "Expected function to reject.");
}

/** Always fails. */
export function fail(msg?: string): never {
  throw new AssertionError(`Failed assertion${msg ? `: ${msg}` : "."}`);
}

/** Marks code that should not be reached. */
export function unreachable(msg?: string): never {
  throw new AssertionError(msg ?? "Unreachable");
}
