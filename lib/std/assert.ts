/**
 * A port of `jsr:@std/assert` 1.0.19 (github.com/denoland/std, folder assert/),
 * with std's semantics: the same exports, argument orders, default tolerance
 * of {@linkcode assertAlmostEquals} (one hundred thousandth of a percent of the
 * expected value), deep equality of {@linkcode equal} (Map, Set, Date, RegExp,
 * typed arrays, URL, `+0 == -0`, `NaN == NaN`, key order ignored, class
 * instances by their prototype), return values ({@linkcode assertThrows} and
 * {@linkcode assertRejects} return the error) and {@linkcode AssertionError}.
 * Failure messages follow std's, with the same `[Diff] Actual / Expected` block.
 *
 * JSR cannot be reached from our machines, so `deno.json` maps `@std/assert`
 * here; pointing it at `jsr:@std/assert@^1` is the one-line swap back.
 * lib/std/assert_test.ts checks each function against std's documented examples.
 *
 * Copyright 2018-2026 the Deno authors. MIT license.
 *
 * @example
 * ```ts
 * import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
 * assertEquals({ a: new Set([1, 2]) }, { a: new Set([2, 1]) });
 * assertAlmostEquals(1e9, 1e9 + 50); // within 1e-7 * 1e9 = 100
 * const err = assertThrows(() => JSON.parse("{"), SyntaxError);
 * ```
 * @module
 */
import { buildMessage, diff, diffStr, format, red, stripAnsiCode } from "./_internal.ts";

// ------------------------------------------------------ assertion_error.ts

/**
 * Error thrown when an assertion fails.
 *
 * @example
 * ```ts
 * import { AssertionError } from "@std/assert";
 * const error = new AssertionError("foo", { cause: "bar" });
 * error.message === "foo"; // true
 * error.cause === "bar"; // true
 * ```
 */
export class AssertionError extends Error {
  /**
   * @param message The error message.
   * @param options Additional options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AssertionError";
  }
}

// ----------------------------------------------------------------- equal.ts

type KeyedCollection = Set<unknown> | Map<unknown, unknown>;
function isKeyedCollection(x: unknown): x is KeyedCollection {
  return x instanceof Set || x instanceof Map;
}

function prototypesEqual(a: object, b: object): boolean {
  const pa = Object.getPrototypeOf(a);
  const pb = Object.getPrototypeOf(b);
  return pa === pb || pa === Object.prototype && pb === null || pa === null && pb === Object.prototype;
}

function isBasicObjectOrArray(obj: object): boolean {
  const proto = Object.getPrototypeOf(obj);
  return proto === null || proto === Object.prototype || proto === Array.prototype;
}

function ownKeys(obj: object): (string | symbol)[] {
  return [...Object.getOwnPropertyNames(obj), ...Object.getOwnPropertySymbols(obj)];
}

function getKeysDeep(obj: object): Set<string | symbol> {
  const keys = new Set<string | symbol>();
  while (obj !== Object.prototype && obj !== Array.prototype && obj != null) {
    for (const key of ownKeys(obj)) keys.add(key);
    obj = Object.getPrototypeOf(obj);
  }
  return keys;
}

// deno-lint-ignore no-explicit-any
const Temporal = (globalThis as any).Temporal ?? Object.create(null);

/** Prototypes whose instances compare accurately as `String(instance)`. */
const stringComparablePrototypes = new Set<unknown>(
  [
    Intl.Locale,
    RegExp,
    Temporal.Duration,
    Temporal.Instant,
    Temporal.PlainDate,
    Temporal.PlainDateTime,
    Temporal.PlainTime,
    Temporal.PlainYearMonth,
    Temporal.PlainMonthDay,
    Temporal.ZonedDateTime,
    URL,
    URLSearchParams,
  ].filter((x) => x != null).map((x) => x.prototype),
);

function isPrimitive(x: unknown): boolean {
  return typeof x === "string" || typeof x === "number" || typeof x === "boolean" || typeof x === "bigint" ||
    typeof x === "symbol" || x == null;
}

type TypedArray = Pick<Uint8Array | BigUint64Array, "length" | number>;
const TypedArray = Object.getPrototypeOf(Uint8Array);
function compareTypedArrays(a: TypedArray, b: TypedArray): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) {
    if (!sameValueZero(a[i], b[i])) return false;
  }
  return true;
}

/** Both strict equality (`0 == -0`) and `Object.is` (`NaN == NaN`). */
function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || Object.is(a, b);
}

/**
 * Deep equality comparison used in assertions.
 *
 * Value equality, except where it cannot be determined (data only readable
 * asynchronously, function properties): there reference equality is used, which
 * may give false negatives for objects such as `Blob`s or `Request`s.
 *
 * @param a The actual value.
 * @param b The expected value.
 * @returns `true` if the values are deeply equal, `false` otherwise.
 * @throws {TypeError} If either value is a `WeakMap` or `WeakSet`.
 *
 * @example
 * ```ts
 * import { equal } from "@std/assert";
 * equal({ foo: "bar" }, { foo: "bar" }); // true
 * equal({ foo: "bar" }, { foo: "baz" }); // false
 * ```
 */
export function equal(a: unknown, b: unknown): boolean {
  const seen = new Map<unknown, unknown>();
  return (function compare(a: unknown, b: unknown): boolean {
    if (sameValueZero(a, b)) return true;
    if (isPrimitive(a) || isPrimitive(b)) return false;

    if (a instanceof Date && b instanceof Date) {
      return Object.is(a.getTime(), b.getTime());
    }
    if (a && typeof a === "object" && b && typeof b === "object") {
      if (!prototypesEqual(a, b)) return false;
      if (a instanceof TypedArray) {
        return compareTypedArrays(a as TypedArray, b as TypedArray);
      }
      if (a instanceof ArrayBuffer || (globalThis.SharedArrayBuffer && a instanceof SharedArrayBuffer)) {
        return compareTypedArrays(new Uint8Array(a), new Uint8Array(b as ArrayBuffer | SharedArrayBuffer));
      }
      if (a instanceof WeakMap) throw new TypeError("Cannot compare WeakMap instances");
      if (a instanceof WeakSet) throw new TypeError("Cannot compare WeakSet instances");
      if (a instanceof WeakRef) {
        return compare(a.deref(), (b as WeakRef<WeakKey>).deref());
      }
      if (seen.get(a) === b) return true;
      if (Object.keys(a).length !== Object.keys(b).length) return false;
      seen.set(a, b);
      if (isKeyedCollection(a) && isKeyedCollection(b)) {
        if (a.size !== b.size) return false;

        const aKeys = [...a.keys()];
        if (aKeys.every(isPrimitive)) {
          if (a instanceof Set) {
            return a.symmetricDifference(b).size === 0;
          }
          for (const key of aKeys) {
            if (!b.has(key) || !compare(a.get(key), (b as Map<unknown, unknown>).get(key))) {
              return false;
            }
          }
          return true;
        }

        let unmatchedEntries = a.size;
        for (const [aKey, aValue] of a.entries()) {
          for (const [bKey, bValue] of b.entries()) {
            // Map keys can be references: they must be deeply equal too.
            if (!compare(aKey, bKey)) continue;
            if ((aKey === aValue && bKey === bValue) || compare(aValue, bValue)) {
              unmatchedEntries--;
              break;
            }
          }
        }
        return unmatchedEntries === 0;
      }

      let keys: Iterable<string | symbol>;
      if (isBasicObjectOrArray(a)) {
        keys = ownKeys({ ...a, ...b });
      } else if (stringComparablePrototypes.has(Object.getPrototypeOf(a))) {
        return String(a) === String(b);
      } else {
        keys = getKeysDeep(a).union(getKeysDeep(b));
      }

      for (const key of keys) {
        type Key = keyof typeof a;
        if (!compare(a[key as Key], b[key as Key])) return false;
        if (((key in a) && (!(key in b))) || ((key in b) && (!(key in a)))) return false;
      }
      return true;
    }
    return false;
  })(a, b);
}

function suffix(msg: string | undefined): string {
  return msg ? `: ${msg}` : ".";
}

function diffMessage(actual: unknown, expected: unknown): string {
  const stringDiff = typeof actual === "string" && typeof expected === "string";
  const diffResult = stringDiff
    ? diffStr(actual as string, expected as string)
    : diff(format(actual).split("\n"), format(expected).split("\n"));
  return buildMessage(diffResult, { stringDiff }).join("\n");
}

// ---------------------------------------------------------------- assert.ts

/**
 * Makes an assertion: throws if `expr` is not truthy.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * assert("hello".includes("ello")); // Doesn't throw
 * // assert("hello".includes("world")); // Throws
 * ```
 *
 * @param expr The expression to test.
 * @param msg The message of the error (empty by default).
 * @throws {AssertionError} If `expr` is falsy.
 */
export function assert(expr: unknown, msg = ""): asserts expr {
  if (!expr) throw new AssertionError(msg);
}

/** Assertion condition for {@linkcode assertFalse}. */
export type Falsy = false | 0 | 0n | "" | null | undefined;

/**
 * Makes an assertion: throws if `expr` is truthy.
 *
 * @example
 * ```ts
 * import { assertFalse } from "@std/assert";
 * assertFalse(false); // Doesn't throw
 * // assertFalse(true); // Throws
 * ```
 *
 * @param expr The expression to test.
 * @param msg The message of the error (empty by default).
 * @throws {AssertionError} If `expr` is truthy.
 */
export function assertFalse(expr: unknown, msg = ""): asserts expr is Falsy {
  if (expr) throw new AssertionError(msg);
}

// --------------------------------------------------------- almost_equals.ts

/**
 * Asserts that `actual` and `expected` are almost equal numbers: within
 * `tolerance`, by default one hundred thousandth of a percent of `expected`
 * (`|expected| * 1e-7`, or `1e-7` when `expected` is not finite).
 *
 * @example
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * assertAlmostEquals(1.000000001e-8, 1.000000002e-8); // Doesn't throw
 * assertAlmostEquals(0.01, 0.02, 0.1); // Doesn't throw
 * assertAlmostEquals(0.1 + 0.2, 0.3, 1e-16); // Doesn't throw
 * // assertAlmostEquals(0.01, 0.02); // Throws
 * // assertAlmostEquals(1e-8, 1e-9); // Throws
 * // assertAlmostEquals(0.1 + 0.2, 0.3, 1e-17); // Throws
 * ```
 *
 * @param actual The actual value.
 * @param expected The expected value.
 * @param tolerance The largest allowed `|expected - actual|`; default `|expected| * 1e-7`.
 * @param msg The optional message to include in the error.
 * @throws {AssertionError} If the values are not almost equal.
 */
export function assertAlmostEquals(actual: number, expected: number, tolerance?: number, msg?: string): void {
  if (Object.is(actual, expected)) return;
  const delta = Math.abs(expected - actual);
  if (tolerance === undefined) {
    tolerance = isFinite(expected) ? Math.abs(expected * 1e-7) : 1e-7;
  }
  if (delta <= tolerance) return;
  const f = (n: number) => Number.isInteger(n) ? n : n.toExponential();
  throw new AssertionError(
    `Expected actual: "${f(actual)}" to be close to "${f(expected)}": delta "${f(delta)}" is greater than "${
      f(tolerance)
    }"${suffix(msg)}`,
  );
}

// -------------------------------------------------------- array_includes.ts

/** An array-like object (`Array`, `Uint8Array`, `NodeList`, etc.) that is not a string. */
export type ArrayLikeArg<T> = ArrayLike<T> & object;

/**
 * Asserts that `actual` contains every value of `expected`, with deep equality
 * for non-primitive values.
 *
 * @example
 * ```ts
 * import { assertArrayIncludes } from "@std/assert";
 * assertArrayIncludes([1, 2, 3], [2, 3]); // Passes
 * assertArrayIncludes([{ a: 1 }, { b: 2 }], [{ a: 1 }]); // Passes
 * // assertArrayIncludes([1, 2, 3], [4]); // Throws
 * ```
 *
 * @param actual The array-like object to search within.
 * @param expected The values that must be present in `actual`.
 * @param msg Optional message to display on failure.
 * @throws {AssertionError} If any value of `expected` is missing from `actual`; the message lists them.
 */
export function assertArrayIncludes<T>(actual: ArrayLikeArg<T>, expected: ArrayLikeArg<T>, msg?: string): void {
  const missing: unknown[] = [];
  for (let i = 0; i < expected.length; i++) {
    const item = expected[i];
    let found = false;
    if (item === null || typeof item !== "object" && typeof item !== "function") {
      found = Array.prototype.includes.call(actual, item);
    } else {
      for (let j = 0; j < actual.length; j++) {
        if (equal(item, actual[j])) {
          found = true;
          break;
        }
      }
    }
    if (!found) missing.push(item);
  }
  if (missing.length === 0) return;
  throw new AssertionError(
    `Expected actual: "${format(actual)}" to include: "${format(expected)}"${suffix(msg)}\nmissing: ${format(missing)}`,
  );
}

// ---------------------------------------------------------------- equals.ts

/**
 * Asserts that `actual` and `expected` are deeply equal ({@linkcode equal}); the
 * error shows a diff of the two.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals("world", "world"); // Doesn't throw
 * const bytes1 = await new Blob(["foo"]).bytes();
 * const bytes2 = await new Blob(["foo"]).bytes();
 * assertEquals(bytes1, bytes2); // Doesn't throw
 * // assertEquals("hello", "world"); // Throws
 * ```
 *
 * @typeParam T The type of the values to compare (usually inferred).
 * @param actual The actual value.
 * @param expected The expected value.
 * @param msg The optional message to display if the assertion fails.
 * @throws {AssertionError} If the values are not deeply equal.
 */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (equal(actual, expected)) return;
  throw new AssertionError(`Values are not equal${suffix(msg)}\n${diffMessage(actual, expected)}`);
}

/**
 * Asserts that `actual` and `expected` are not deeply equal ({@linkcode equal}).
 *
 * @example
 * ```ts
 * import { assertNotEquals } from "@std/assert";
 * assertNotEquals(1, 2); // Doesn't throw
 * // assertNotEquals(1, 1); // Throws
 * ```
 *
 * @typeParam T The type of the values to compare.
 * @param actual The actual value.
 * @param expected The expected value.
 * @param msg The optional message to display if the assertion fails.
 * @throws {AssertionError} If the values are deeply equal.
 */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!equal(actual, expected)) return;
  throw new AssertionError(`Expected actual: ${format(actual)} not to be: ${format(expected)}${suffix(msg)}`);
}

// --------------------------------------------------------- strict_equals.ts

/**
 * Asserts that `actual` and `expected` are the same value (`Object.is`).
 *
 * @example
 * ```ts
 * import { assertStrictEquals } from "@std/assert";
 * const a = {};
 * const b = a;
 * assertStrictEquals(a, b); // Doesn't throw
 * // assertStrictEquals({}, {}); // Throws: same structure but not reference-equal
 * ```
 *
 * @typeParam T The type of the expected value.
 * @param actual The actual value.
 * @param expected The expected value.
 * @param msg The optional message to display if the assertion fails.
 * @throws {AssertionError} If `Object.is(actual, expected)` is false.
 */
export function assertStrictEquals<T>(actual: unknown, expected: T, msg?: string): asserts actual is T {
  if (Object.is(actual, expected)) return;
  const actualString = format(actual);
  const expectedString = format(expected);
  if (actualString === expectedString) {
    const withOffset = actualString.split("\n").map((l) => `    ${l}`).join("\n");
    throw new AssertionError(
      `Values have the same structure but are not reference-equal${suffix(msg)}\n\n${red(withOffset)}\n`,
    );
  }
  throw new AssertionError(`Values are not strictly equal${suffix(msg)}\n${diffMessage(actual, expected)}`);
}

/**
 * Asserts that `actual` and `expected` are not the same value (`Object.is`).
 *
 * @example
 * ```ts
 * import { assertNotStrictEquals } from "@std/assert";
 * assertNotStrictEquals(1, 2); // Doesn't throw
 * assertNotStrictEquals(0, -0); // Doesn't throw
 * // assertNotStrictEquals(1, 1); // Throws
 * ```
 *
 * @typeParam T The type of the values to compare.
 * @param actual The actual value.
 * @param expected The expected value.
 * @param msg The optional message to display if the assertion fails.
 * @throws {AssertionError} If `Object.is(actual, expected)` is true.
 */
export function assertNotStrictEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!Object.is(actual, expected)) return;
  throw new AssertionError(`Expected "actual" to not be strictly equal to: ${format(actual)}${suffix(msg)}\n`);
}

// ---------------------------------------------------------------- exists.ts

/**
 * Asserts that `actual` is neither `null` nor `undefined`.
 *
 * @example
 * ```ts
 * import { assertExists } from "@std/assert";
 * assertExists("something"); // Doesn't throw
 * assertExists(0); // Doesn't throw
 * // assertExists(undefined); // Throws
 * ```
 *
 * @typeParam T The type of the actual value.
 * @param actual The value to check.
 * @param msg The optional message to include in the error.
 * @throws {AssertionError} If `actual` is `null` or `undefined`.
 */
export function assertExists<T>(actual: T, msg?: string): asserts actual is NonNullable<T> {
  if (actual === undefined || actual === null) {
    throw new AssertionError(`Expected actual: "${actual}" to not be null or undefined${suffix(msg)}`);
  }
}

// ------------------------------------------- greater / less (_or_equal).ts

/**
 * Asserts `actual > expected`.
 *
 * @example
 * ```ts
 * import { assertGreater } from "@std/assert";
 * assertGreater(2, 1); // Doesn't throw
 * // assertGreater(1, 1); // Throws
 * ```
 *
 * @typeParam T The type of the values to compare.
 * @param actual The actual value.
 * @param expected The value `actual` must exceed.
 * @param msg The message of the error, replacing `Expect actual > expected`.
 * @throws {AssertionError} If `actual > expected` is false.
 */
export function assertGreater<T>(actual: T, expected: T, msg?: string): void {
  if (actual > expected) return;
  throw new AssertionError(msg ?? `Expect ${format(actual)} > ${format(expected)}`);
}

/**
 * Asserts `actual >= expected`.
 *
 * @example
 * ```ts
 * import { assertGreaterOrEqual } from "@std/assert";
 * assertGreaterOrEqual(2, 1); // Doesn't throw
 * assertGreaterOrEqual(1, 1); // Doesn't throw
 * // assertGreaterOrEqual(0, 1); // Throws
 * ```
 *
 * @typeParam T The type of the values to compare.
 * @param actual The actual value.
 * @param expected The value `actual` must reach.
 * @param msg The message of the error, replacing `Expect actual >= expected`.
 * @throws {AssertionError} If `actual >= expected` is false.
 */
export function assertGreaterOrEqual<T>(actual: T, expected: T, msg?: string): void {
  if (actual >= expected) return;
  throw new AssertionError(msg ?? `Expect ${format(actual)} >= ${format(expected)}`);
}

/**
 * Asserts `actual < expected`.
 *
 * @example
 * ```ts
 * import { assertLess } from "@std/assert";
 * assertLess(1, 2); // Doesn't throw
 * // assertLess(2, 1); // Throws
 * ```
 *
 * @typeParam T The type of the values to compare.
 * @param actual The actual value.
 * @param expected The value `actual` must stay below.
 * @param msg The message of the error, replacing `Expect actual < expected`.
 * @throws {AssertionError} If `actual < expected` is false.
 */
export function assertLess<T>(actual: T, expected: T, msg?: string): void {
  if (actual < expected) return;
  throw new AssertionError(msg ?? `Expect ${format(actual)} < ${format(expected)}`);
}

/**
 * Asserts `actual <= expected`.
 *
 * @example
 * ```ts
 * import { assertLessOrEqual } from "@std/assert";
 * assertLessOrEqual(1, 2); // Doesn't throw
 * assertLessOrEqual(1, 1); // Doesn't throw
 * // assertLessOrEqual(1, 0); // Throws
 * ```
 *
 * @typeParam T The type of the values to compare.
 * @param actual The actual value.
 * @param expected The value `actual` must not exceed.
 * @param msg The message of the error, replacing `Expect actual <= expected`.
 * @throws {AssertionError} If `actual <= expected` is false.
 */
export function assertLessOrEqual<T>(actual: T, expected: T, msg?: string): void {
  if (actual <= expected) return;
  throw new AssertionError(msg ?? `Expect ${format(actual)} <= ${format(expected)}`);
}

// ----------------------------------------------------------- instance_of.ts

/** Any constructor. */
// deno-lint-ignore no-explicit-any
export type AnyConstructor = new (...args: any[]) => any;
/** The instance type of a constructor. */
export type GetConstructorType<T extends AnyConstructor> = InstanceType<T>;

/**
 * Asserts that `actual` is an instance of `expectedType`.
 *
 * @example
 * ```ts
 * import { assertInstanceOf } from "@std/assert";
 * assertInstanceOf(new Date(), Date); // Doesn't throw
 * // assertInstanceOf(new Date(), Number); // Throws
 * ```
 *
 * @typeParam T The expected class.
 * @param actual The object to check.
 * @param expectedType The expected class constructor.
 * @param msg The optional message to display if the assertion fails.
 * @throws {AssertionError} If `actual` is not an instance of `expectedType`; the message names what it was.
 */
// deno-lint-ignore no-explicit-any
export function assertInstanceOf<T extends abstract new (...args: any[]) => any>(
  actual: unknown,
  expectedType: T,
  msg = "",
): asserts actual is InstanceType<T> {
  if (actual instanceof expectedType) return;
  const msgSuffix = suffix(msg);
  const expectedTypeStr = expectedType.name;
  let actualTypeStr = "";
  if (actual === null) {
    actualTypeStr = "null";
  } else if (actual === undefined) {
    actualTypeStr = "undefined";
  } else if (typeof actual === "object") {
    actualTypeStr = actual.constructor?.name ?? "Object";
  } else {
    actualTypeStr = typeof actual;
  }
  if (expectedTypeStr === actualTypeStr) {
    msg = `Expected object to be an instance of "${expectedTypeStr}"${msgSuffix}`;
  } else if (actualTypeStr === "function") {
    msg = `Expected object to be an instance of "${expectedTypeStr}" but was not an instanced object${msgSuffix}`;
  } else {
    msg = `Expected object to be an instance of "${expectedTypeStr}" but was "${actualTypeStr}"${msgSuffix}`;
  }
  throw new AssertionError(msg);
}

/**
 * Asserts that `actual` is not an instance of `unexpectedType`.
 *
 * @example
 * ```ts
 * import { assertNotInstanceOf } from "@std/assert";
 * assertNotInstanceOf(new Date(), Number); // Doesn't throw
 * // assertNotInstanceOf(new Date(), Date); // Throws
 * ```
 *
 * @typeParam A The type of the object to check.
 * @typeParam T The type of the class to check against.
 * @param actual The object to check.
 * @param unexpectedType The class constructor to check against.
 * @param msg The optional message to display if the assertion fails.
 * @throws {AssertionError} If `actual` is an instance of `unexpectedType`.
 */
export function assertNotInstanceOf<A, T>(
  actual: A,
  // deno-lint-ignore no-explicit-any
  unexpectedType: abstract new (...args: any[]) => T,
  msg?: string,
): asserts actual is Exclude<A, T> {
  assertFalse(
    actual instanceof unexpectedType,
    `Expected object to not be an instance of "${typeof unexpectedType}"${suffix(msg)}`,
  );
}

// -------------------------------------------------------------- is_error.ts

/**
 * Asserts that `error` is an `Error`, optionally an instance of `ErrorClass`
 * whose message includes `msgMatches` (a string, or a RegExp it must match;
 * ANSI colour codes are ignored).
 *
 * @example
 * ```ts
 * import { assertIsError } from "@std/assert";
 * assertIsError(new RangeError("Out of range")); // Doesn't throw
 * assertIsError(new RangeError("Out of range"), RangeError, "Out of"); // Doesn't throw
 * // assertIsError(null); // Throws
 * // assertIsError(new RangeError("Out of range"), SyntaxError); // Throws
 * // assertIsError(new RangeError("Out of range"), RangeError, "Within range"); // Throws
 * ```
 *
 * @typeParam E The type of the error.
 * @param error The value to check.
 * @param ErrorClass The optional error class `error` must be an instance of.
 * @param msgMatches The optional string or RegExp the error message must include or match.
 * @param msg The optional message to display if the assertion fails.
 * @throws {AssertionError} If `error` is not an Error, not an `ErrorClass`, or its message does not match.
 */
export function assertIsError<E extends Error = Error>(
  error: unknown,
  // deno-lint-ignore no-explicit-any
  ErrorClass?: abstract new (...args: any[]) => E,
  msgMatches?: string | RegExp,
  msg?: string,
): asserts error is E {
  const msgSuffix = suffix(msg);
  if (!(error instanceof Error)) {
    throw new AssertionError(`Expected "error" to be an Error object${msgSuffix}`);
  }
  if (ErrorClass && !(error instanceof ErrorClass)) {
    throw new AssertionError(
      `Expected error to be instance of "${ErrorClass.name}", but was "${error?.constructor?.name}"${msgSuffix}`,
    );
  }
  let msgCheck;
  if (typeof msgMatches === "string") {
    msgCheck = stripAnsiCode(error.message).includes(stripAnsiCode(msgMatches));
  }
  if (msgMatches instanceof RegExp) {
    msgCheck = msgMatches.test(stripAnsiCode(error.message));
  }
  if (msgMatches && !msgCheck) {
    throw new AssertionError(
      `Expected error message to include ${
        msgMatches instanceof RegExp ? msgMatches.toString() : JSON.stringify(msgMatches)
      }, but got ${JSON.stringify(error?.message)}${msgSuffix}`,
    );
  }
}

// ------------------------------------------------------ match / not_match.ts

/**
 * Asserts that `actual` matches the RegExp `expected`.
 *
 * @example
 * ```ts
 * import { assertMatch } from "@std/assert";
 * assertMatch("Raptor", /Raptor/); // Doesn't throw
 * // assertMatch("Denosaurus", /Raptor/); // Throws
 * ```
 *
 * @param actual The string to match.
 * @param expected The pattern it must match.
 * @param msg The optional message to display if the assertion fails.
 * @throws {AssertionError} If `expected.test(actual)` is false.
 */
export function assertMatch(actual: string, expected: RegExp, msg?: string): void {
  if (expected.test(actual)) return;
  throw new AssertionError(`Expected actual: "${actual}" to match: "${expected}"${suffix(msg)}`);
}

/**
 * Asserts that `actual` does not match the RegExp `expected`.
 *
 * @example
 * ```ts
 * import { assertNotMatch } from "@std/assert";
 * assertNotMatch("Denosaurus", /Raptor/); // Doesn't throw
 * // assertNotMatch("Raptor", /Raptor/); // Throws
 * ```
 *
 * @param actual The string to match.
 * @param expected The pattern it must not match.
 * @param msg The optional message to display if the assertion fails.
 * @throws {AssertionError} If `expected.test(actual)` is true.
 */
export function assertNotMatch(actual: string, expected: RegExp, msg?: string): void {
  if (!expected.test(actual)) return;
  throw new AssertionError(`Expected actual: "${actual}" to not match: "${expected}"${suffix(msg)}`);
}

// ---------------------------------------------------------- object_match.ts

/**
 * Asserts that `expected` is a subset of `actual`, deeply: every key of
 * `expected` (nested objects, arrays by position, Maps, Sets) is in `actual`
 * with an equal value; `actual` may have more. The error shows the diff.
 *
 * @example
 * ```ts
 * import { assertObjectMatch } from "@std/assert";
 * assertObjectMatch({ foo: 1, bar: 2 }, { foo: 1 }); // Doesn't throw
 * assertObjectMatch({ foo: { bar: 3, baz: 4 } }, { foo: { bar: 3 } }); // Doesn't throw
 * // assertObjectMatch({ foo: "bar" }, { foo: "baz" }); // Throws
 * // assertObjectMatch({ foo: 1 }, { foo: 1, bar: 2 }); // Throws
 * ```
 *
 * @param actual The object to check.
 * @param expected The subset it must contain.
 * @param msg The optional message to display if the assertion fails.
 * @throws {AssertionError} If `actual` lacks a key of `expected` or holds a different value there.
 */
export function assertObjectMatch(
  // deno-lint-ignore no-explicit-any
  actual: Record<PropertyKey, any>,
  expected: Record<PropertyKey, unknown>,
  msg?: string,
): void {
  // The intersection of actual and expected, against expected with its
  // (nested) instances made plain objects the same way (denoland/std#1419).
  return assertEquals(filter(actual, expected), filter(expected, expected), msg);
}

type Loose = Record<PropertyKey, unknown>;

function isObject(val: unknown): boolean {
  return typeof val === "object" && val !== null;
}

function defineProperty(target: object, key: PropertyKey, value: unknown): object {
  return Object.defineProperty(target, key, { value, configurable: true, enumerable: true, writable: true });
}

function filter(a: Loose, b: Loose): Loose {
  const seen = new WeakMap<Loose | unknown[], Loose | unknown[]>();
  return filterObject(a, b);

  function filterMap(value: Map<unknown, unknown>, subset: Map<unknown, unknown>): Map<unknown, unknown> {
    return new Map(
      [...value].filter(([k]) => subset.has(k)).map(([k, v]) => {
        const v2 = subset.get(k);
        if (isObject(v) && isObject(v2)) return [k, filterObject(v as Loose, v2 as Loose)];
        return [k, v];
      }),
    );
  }

  // The filtered counterpart of `value` (taken from a) against `subset` (from b).
  function filterValue(value: unknown, subset: unknown): unknown {
    // RegExp and Date: keep as they are (pattern, flags, timestamp).
    if (value instanceof RegExp || value instanceof Date) return value;
    if (Array.isArray(value) && Array.isArray(subset)) return filterArray(value, subset);
    if (isObject(value) && isObject(subset)) {
      if (value instanceof Map && subset instanceof Map) return filterMap(value, subset);
      if (value instanceof Set && subset instanceof Set) return value.intersection(subset);
      return filterObject(value as Loose, subset as Loose);
    }
    return value;
  }

  function filterObject(a: Loose, b: Loose): Loose {
    // Circular references: stop at a pair already being filtered.
    const memo = seen.get(a);
    if (memo && (memo === b)) return a;
    try {
      seen.set(a, b);
    } catch (err) {
      if (err instanceof TypeError) {
        throw new TypeError(`Cannot assertObjectMatch ${a === null ? null : `type ${typeof a}`}`);
      }
    }
    const filtered = {} as Loose;
    const keysA = Reflect.ownKeys(a);
    const keysB = Reflect.ownKeys(b);
    const entries = keysA.filter((key) => keysB.includes(key)).map((key) => [key, a[key as string]]) as Array<
      [string, unknown]
    >;
    if (keysA.length && keysB.length && !entries.length) {
      // Both non-empty but no key in common: keep all of a.
      for (const key of keysA) defineProperty(filtered, key, a[key]);
      return filtered;
    }
    for (const [key, value] of entries) {
      defineProperty(filtered, key, filterValue(value, (b as Loose)[key]));
    }
    return filtered;
  }

  function filterArray(a: unknown[], b: unknown[]): unknown[] {
    const memo = seen.get(a);
    if (memo && (memo === b)) return a;
    seen.set(a, b);
    const filtered: unknown[] = [];
    const count = Math.min(a.length, b.length);
    for (let i = 0; i < count; ++i) filtered.push(filterValue(a[i], b[i]));
    return filtered;
  }
}

// ------------------------------------------------------- string_includes.ts

/**
 * Asserts that the string `actual` includes `expected`.
 *
 * @example
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * assertStringIncludes("Hello", "ello"); // Doesn't throw
 * // assertStringIncludes("Hello", "world"); // Throws
 * ```
 *
 * @param actual The string to search.
 * @param expected The substring it must contain.
 * @param msg The optional message to display if the assertion fails.
 * @throws {AssertionError} If `actual` does not include `expected`.
 */
export function assertStringIncludes(actual: string, expected: string, msg?: string): void {
  if (actual.includes(expected)) return;
  throw new AssertionError(`Expected actual: "${actual}" to contain: "${expected}"${suffix(msg)}`);
}

// ------------------------------------------------------ throws / rejects.ts

// deno-lint-ignore no-explicit-any
type ErrorClassOf<E> = abstract new (...args: any[]) => E;

function isErrorClass(value: unknown): boolean {
  // deno-lint-ignore no-explicit-any
  const proto = (value as any)?.prototype;
  return proto instanceof Error || proto === Error.prototype;
}

/** The arguments after `fn` of {@linkcode assertThrows} and {@linkcode assertRejects}, sorted out. */
interface ErrorExpectation<E extends Error> {
  ErrorClass?: ErrorClassOf<E>;
  msgIncludes?: string;
  msg?: string;
}

/**
 * std's parsing of `(fn, ErrorClass?, msgIncludes?, msg?)` or `(fn, msg?)`. When the second argument is neither a
 * string nor an error class (`null`, say), std's assertThrows takes the third as the message and its assertRejects
 * does not: `thirdIsMsg` keeps that difference.
 */
function errorExpectation<E extends Error>(
  errorClassOrMsg: ErrorClassOf<E> | string | undefined,
  msgIncludesOrMsg: string | undefined,
  msg: string | undefined,
  thirdIsMsg: boolean,
): ErrorExpectation<E> {
  if (typeof errorClassOrMsg === "string") return { msg: errorClassOrMsg };
  if (errorClassOrMsg === undefined || isErrorClass(errorClassOrMsg)) {
    return { ErrorClass: errorClassOrMsg, msgIncludes: msgIncludesOrMsg, msg };
  }
  return { msg: thirdIsMsg ? msgIncludesOrMsg : msg };
}

/** Checks what `fn` threw (`verb` "thrown") or rejected with against the expectation; returns it. */
function checkError<E extends Error>(error: unknown, expected: ErrorExpectation<E>, verb: string): unknown {
  if (expected.ErrorClass) {
    if (!(error instanceof Error)) throw new AssertionError(`A non-Error object was ${verb}${suffix(expected.msg)}`);
    assertIsError(error, expected.ErrorClass, expected.msgIncludes, expected.msg);
  }
  return error;
}

/**
 * Calls `fn`, expecting it to throw; returns what it threw. For a function
 * returning a promise use {@linkcode assertRejects}.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * assertThrows(() => { throw new TypeError("hello world!"); }); // Doesn't throw
 * // assertThrows(() => console.log("hello world!")); // Throws
 * ```
 *
 * @param fn The function to call.
 * @param msg The optional message to display if the assertion fails.
 * @returns The value `fn` threw.
 * @throws {AssertionError} If `fn` does not throw.
 */
export function assertThrows(fn: () => unknown, msg?: string): unknown;
/**
 * Calls `fn`, expecting it to throw an instance of `ErrorClass` whose message
 * includes `msgIncludes`; returns the error.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * const error = assertThrows(() => { throw new TypeError("hello world!"); }, TypeError, "hello");
 * error.message; // "hello world!"
 * // assertThrows(() => { throw new TypeError("hello world!"); }, RangeError); // Throws
 * ```
 *
 * @typeParam E The error class.
 * @param fn The function to call.
 * @param ErrorClass The class the thrown error must be an instance of.
 * @param msgIncludes A string the error's message must include.
 * @param msg The optional message to display if the assertion fails.
 * @returns The error `fn` threw.
 * @throws {AssertionError} If `fn` does not throw, throws a non-Error, another class or another message.
 */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  ErrorClass: ErrorClassOf<E>,
  msgIncludes?: string,
  msg?: string,
): E;
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  errorClassOrMsg?: ErrorClassOf<E> | string,
  msgIncludesOrMsg?: string,
  msg?: string,
): E | Error | unknown {
  const expected = errorExpectation(errorClassOrMsg, msgIncludesOrMsg, msg, true);
  try {
    fn();
  } catch (error) {
    return checkError(error, expected, "thrown");
  }
  throw new AssertionError(`Expected function to throw${suffix(expected.msg)}`);
}

/**
 * Calls `fn`, expecting the promise it returns to reject; resolves to the
 * rejection reason. `fn` throwing synchronously (or returning a non-promise)
 * fails. For a synchronous function use {@linkcode assertThrows}.
 *
 * @example
 * ```ts
 * import { assertRejects } from "@std/assert";
 * await assertRejects(async () => Promise.reject(new Error())); // Doesn't throw
 * // await assertRejects(async () => console.log("Hello world")); // Throws
 * ```
 *
 * @param fn The function to call.
 * @param msg The optional message to display if the assertion fails.
 * @returns The promise which resolves to the rejection reason.
 * @throws {AssertionError} If the promise resolves, or `fn` throws instead of returning a promise.
 */
export function assertRejects(fn: () => PromiseLike<unknown>, msg?: string): Promise<unknown>;
/**
 * Calls `fn`, expecting the promise it returns to reject with an instance of
 * `ErrorClass` whose message includes `msgIncludes`; resolves to the error.
 *
 * @example
 * ```ts
 * import { assertRejects } from "@std/assert";
 * await assertRejects(async () => Promise.reject(new Error()), Error); // Doesn't throw
 * // await assertRejects(async () => Promise.reject(new Error()), SyntaxError); // Throws
 * ```
 *
 * @typeParam E The error class.
 * @param fn The function to call.
 * @param ErrorClass The class the rejection must be an instance of.
 * @param msgIncludes A string the error's message must include.
 * @param msg The optional message to display if the assertion fails.
 * @returns The promise which resolves to the error.
 * @throws {AssertionError} If the promise resolves, or rejects with a non-Error, another class or another message.
 */
export function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  ErrorClass: ErrorClassOf<E>,
  msgIncludes?: string,
  msg?: string,
): Promise<E>;
export async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  errorClassOrMsg?: ErrorClassOf<E> | string,
  msgIncludesOrMsg?: string,
  msg?: string,
): Promise<E | Error | unknown> {
  const expected = errorExpectation(errorClassOrMsg, msgIncludesOrMsg, msg, false);
  const msgSuffix = suffix(expected.msg);
  let isPromiseReturned = false;
  try {
    const possiblePromise = fn();
    if (possiblePromise && typeof possiblePromise === "object" && typeof possiblePromise.then === "function") {
      isPromiseReturned = true;
      await possiblePromise;
    } else {
      throw new Error();
    }
  } catch (error) {
    if (!isPromiseReturned) {
      throw new AssertionError(`Function throws when expected to reject${msgSuffix}`);
    }
    return checkError(error, expected, "rejected");
  }
  throw new AssertionError(`Expected function to reject${msgSuffix}`);
}

// ------------------------------------- fail / unreachable / unimplemented.ts

/**
 * Throws a failed assertion.
 *
 * @example
 * ```ts
 * import { fail } from "@std/assert";
 * // fail("Deliberately failed!"); // Throws "Failed assertion: Deliberately failed!"
 * ```
 *
 * @param msg Optional message to include in the error.
 * @returns Never returns, always throws.
 * @throws {AssertionError} Always.
 */
export function fail(msg?: string): never {
  throw new AssertionError(`Failed assertion${suffix(msg)}`);
}

/**
 * Marks code that must not be reached.
 *
 * @example
 * ```ts
 * import { unreachable } from "@std/assert";
 * // unreachable(); // Throws "Unreachable."
 * ```
 *
 * @param msg Optional message to include in the error.
 * @returns Never returns, always throws.
 * @throws {AssertionError} Always.
 */
export function unreachable(msg?: string): never {
  throw new AssertionError(`Unreachable${suffix(msg)}`);
}

/**
 * Stubs out a method that throws when invoked.
 *
 * @example
 * ```ts
 * import { unimplemented } from "@std/assert";
 * // unimplemented(); // Throws "Unimplemented."
 * ```
 *
 * @param msg Optional message to include in the error.
 * @returns Never returns, always throws.
 * @throws {AssertionError} Always.
 */
export function unimplemented(msg?: string): never {
  throw new AssertionError(`Unimplemented${suffix(msg)}`);
}
