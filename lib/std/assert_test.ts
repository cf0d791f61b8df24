// Each function against std's documented @example cases (passing and failing) and edge cases from
// std's own tests (github.com/denoland/std, assert/*_test.ts, 1.0.19). Copyright 2018-2026 the Deno
// authors (the ported cases), MIT license.
import {
  assert,
  assertAlmostEquals,
  assertArrayIncludes,
  assertEquals,
  assertExists,
  assertFalse,
  assertGreater,
  assertGreaterOrEqual,
  assertInstanceOf,
  AssertionError,
  assertIsError,
  assertLess,
  assertLessOrEqual,
  assertMatch,
  assertNotEquals,
  assertNotInstanceOf,
  assertNotMatch,
  assertNotStrictEquals,
  assertObjectMatch,
  assertRejects,
  assertStrictEquals,
  assertStringIncludes,
  assertThrows,
  equal,
  fail,
  unimplemented,
  unreachable,
} from "./assert.ts";
import { buildMessage, diff, diffStr, format, stripAnsiCode } from "./_internal.ts";

/** The AssertionError `fn` throws, its message without colours; fails unless it throws one. */
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AssertionError) return stripAnsiCode(err.message);
    throw new Error(`expected an AssertionError, got ${err}`);
  }
  throw new Error("expected an AssertionError, nothing was thrown");
}

async function rejection(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AssertionError) return stripAnsiCode(err.message);
    throw new Error(`expected an AssertionError, got ${err}`);
  }
  throw new Error("expected an AssertionError, nothing was thrown");
}

Deno.test("AssertionError carries the message and cause, named AssertionError", () => {
  const error = new AssertionError("foo", { cause: "bar" });
  assert(error instanceof Error);
  assertStrictEquals(error.message, "foo");
  assertStrictEquals(error.cause, "bar");
  assertStrictEquals(error.name, "AssertionError");
});

Deno.test("assert and assertFalse: truthiness, empty message by default", () => {
  assert("hello".includes("ello"));
  assertStrictEquals(failure(() => assert("hello".includes("world"))), "");
  assertStrictEquals(failure(() => assert(0, "zero")), "zero");
  assertFalse(false);
  for (const falsy of [0, 0n, "", null, undefined, NaN]) assertFalse(falsy);
  assertStrictEquals(failure(() => assertFalse(true)), "");
  assertStrictEquals(failure(() => assertFalse("x", "was x")), "was x");
});

Deno.test("assertAlmostEquals: the default tolerance is 1e-7 of the expected value", () => {
  // The two cases.
  assertAlmostEquals(1e9, 1e9 + 50);
  assertStrictEquals(
    failure(() => assertAlmostEquals(1e-8, 1e-9)),
    'Expected actual: "1e-8" to be close to "1e-9": delta "9e-9" is greater than "1e-16".',
  );
  // Documented examples.
  failure(() => assertAlmostEquals(0.01, 0.02));
  assertAlmostEquals(1.000000001e-8, 1.000000002e-8);
  assertAlmostEquals(0.01, 0.02, 0.1);
  assertAlmostEquals(0.1 + 0.2, 0.3, 1e-16);
  failure(() => assertAlmostEquals(0.1 + 0.2, 0.3, 1e-17));
  // std's tests.
  for (const [a, b] of [[-0, +0], [Math.PI, Math.PI], [0.1 + 0.2, 0.3], [NaN, NaN], [9e20, 9.0000000001e20]]) {
    assertAlmostEquals(a, b);
  }
  assertAlmostEquals(-9e20, -9.0000000001e20);
  assertAlmostEquals(-1.000000001e-8, -1.000000002e-8);
  for (const [a, b] of [[1, 2], [1, 1.1], [9e20, 9.01e20], [5e-7, 6e-7]]) failure(() => assertAlmostEquals(a, b));
  // The edge of the relative default: 1e9 * 1e-7 = 100.
  assertAlmostEquals(1e9 + 100, 1e9);
  failure(() => assertAlmostEquals(1e9 + 101, 1e9));
  // Expected 0: only exactly 0 passes by default.
  failure(() => assertAlmostEquals(1e-300, 0));
  assertAlmostEquals(1e-300, 0, 1e-7);
});

Deno.test("assertAlmostEquals: infinities, NaN and the custom message", () => {
  assertAlmostEquals(Infinity, Infinity);
  assertStringIncludes(
    failure(() => assertAlmostEquals(0, Infinity)),
    'Expected actual: "0" to be close to "Infinity"',
  );
  assertStringIncludes(
    failure(() => assertAlmostEquals(-Infinity, +Infinity)),
    '"-Infinity" to be close to "Infinity"',
  );
  assertStringIncludes(failure(() => assertAlmostEquals(Infinity, NaN)), '"Infinity" to be close to "NaN"');
  assertStrictEquals(
    failure(() => assertAlmostEquals(-Infinity, +Infinity, 1e-17, "CUSTOM MESSAGE")),
    'Expected actual: "-Infinity" to be close to "Infinity": delta "Infinity" is greater than "1e-17": CUSTOM MESSAGE',
  );
});

Deno.test("equal: documented examples, +0/-0, NaN, key order, undefined keys", () => {
  assert(equal({ foo: "bar" }, { foo: "bar" }));
  assertFalse(equal({ foo: "bar" }, { foo: "baz" }));
  assert(equal(0, -0));
  assert(equal({ msg: "hello", array: [0] }, { msg: "hello", array: [-0] }));
  assert(equal(NaN, NaN));
  assertFalse(equal(null, undefined));
  assertFalse(equal(5, "5"));
  assert(equal({ a: 1, b: 2 }, { b: 2, a: 1 }));
  assertFalse(equal({ a: undefined, b: undefined }, { a: undefined, c: undefined }));
  assertFalse(equal({ a: undefined, b: undefined }, { a: undefined }));
  assert(equal({ [Symbol.for("foo")]: "bar" }, { [Symbol.for("foo")]: "bar" }));
  assertFalse(equal({ [Symbol("foo")]: "bar" }, { [Symbol("foo")]: "bar" }));
  assertFalse(equal([1, 2, 3, 4], [1, 4, 2, 3]));
  assert(equal({ a: 1 }, Object.assign(Object.create(null), { a: 1 })));
});

Deno.test("equal: Date, RegExp, URL, Set, Map, typed arrays, ArrayBuffer", () => {
  assert(equal(new Date(2019, 0, 3), new Date(2019, 0, 3)));
  assertFalse(equal(new Date(2019, 0, 3, 4, 20, 1, 10), new Date(2019, 0, 3, 4, 20, 1, 20)));
  assert(equal(new Date("Invalid"), new Date("Invalid")));
  assertFalse(equal(new Date("Invalid"), new Date(2019, 0, 3)));
  assert(equal(/deno/, /deno/));
  assertFalse(equal(/deno/, /node/));
  assertFalse(equal(/deno/g, /deno/i));
  assert(equal(new URL("https://example.test"), new URL("https://example.test")));
  assertFalse(equal(new URL("https://example.test"), new URL("https://example.test/with-path")));
  assert(equal(new URLSearchParams("a=1&b=2"), new URLSearchParams("a=1&b=2")));
  assertFalse(equal(new URLSearchParams("a=1&b=2"), new URLSearchParams("a=1&b=99999")));
  assert(equal(new Set([1, 2, 3]), new Set([3, 2, 1])));
  assert(equal(new Set([1, new Set([2, 3])]), new Set([new Set([3, 2]), 1])));
  assertFalse(equal(new Set([1, 2]), new Set([3, 2, 1])));
  assert(equal(new Set([{ b: 2 }, { a: 1 }]), new Set([{ a: 1 }, { b: 2 }])));
  assertFalse(equal(new Set([Symbol()]), new Set([Symbol()])));
  assert(equal(new Map([["foo", "bar"], ["baz", "qux"]]), new Map([["baz", "qux"], ["foo", "bar"]])));
  assertFalse(equal(new Map([["foo", new Map([["bar", "baz"]])]]), new Map([["foo", new Map([["bar", "qux"]])]])));
  assert(equal(new Map([[{ x: 1 }, true]]), new Map([[{ x: 1 }, true]])));
  assertFalse(equal(new Map([[{ x: 1 }, true]]), new Map([[{ x: 2 }, true]])));
  assertFalse(equal(new Map([["foo", "bar"]]), new Map([["foo", "bar"], ["bar", "baz"]])));
  assert(equal(new Uint8Array([1, 2, 3, 4]), new Uint8Array([1, 2, 3, 4])));
  assertFalse(equal(new Uint8Array([1, 2, 3, 4]), new Uint8Array([2, 1, 4, 3])));
  assertFalse(equal(new Uint8Array([0]), new Uint8Array([0, 0])));
  assertFalse(equal(new Uint8Array([1]), new Int8Array([1])));
  assert(equal(new Float64Array([NaN]), new Float64Array([NaN])));
  assert(equal(new Float64Array([0]), new Float64Array([-0])));
  assert(equal(new Uint8Array([1, 2, 3]).buffer, new Uint8Array([1, 2, 3]).buffer));
  assertFalse(equal(new Uint8Array([1, 2, 3]).buffer, new Uint8Array([1, 2, 4]).buffer));
});

Deno.test("equal: class instances, prototypes, getters, circular values, weak collections", () => {
  class X {
    prop = 1;
  }
  const b = {} as X;
  assertFalse(equal(new X(), b));
  Object.setPrototypeOf(b, X.prototype);
  assertFalse(equal(new X(), b));
  b.prop = 1;
  assert(equal(new X(), b));
  assertFalse(equal(new X(), { prop: 1 }));
  assertFalse(equal(new (class A {})(), new (class B {})()));
  // A getter on the prototype is compared by value.
  const values = new WeakMap<object, number>();
  const proto = {
    get prop() {
      return values.get(this);
    },
  };
  const make = (v: number) => {
    const x = Object.create(proto);
    values.set(x, v);
    return x;
  };
  assert(equal(make(1), make(1)));
  assertFalse(equal(make(1), make(99999)));
  const objA: { prop?: unknown } = {};
  objA.prop = objA;
  const objB: { prop?: unknown } = {};
  objB.prop = objB;
  assert(equal(objA, objB));
  assertThrows(() => equal(new WeakMap(), new WeakMap()), TypeError, "Cannot compare WeakMap instances");
  assertThrows(() => equal(new WeakSet(), new WeakSet()), TypeError, "Cannot compare WeakSet instances");
  assert(equal(new WeakRef({ hello: "world" }), new WeakRef({ hello: "world" })));
  assertFalse(equal(new WeakRef({ world: "hello" }), new WeakRef({ hello: "world" })));
});

Deno.test("assertEquals: passes on deep equality, fails with a diff of what differed", () => {
  assertEquals("world", "world");
  assertEquals({ a: 10, b: { c: "1" } }, { a: 10, b: { c: "1" } });
  assertEquals(new Date("invalid"), new Date("invalid"));
  assertEquals(0, -0);
  assertEquals(new Set([1, 2]), new Set([2, 1]));
  const message = failure(() => assertEquals("hello", "world"));
  assertStringIncludes(message, "Values are not equal.");
  assertStringIncludes(message, "[Diff] Actual / Expected");
  assertStringIncludes(message, "-   hello");
  assertStringIncludes(message, "+   world");
  assertStringIncludes(failure(() => assertEquals(1, 2)), "-   1\n+   2\n");
  assertStringIncludes(
    failure(() => assertEquals({ a: 1, b: "2", c: 3 }, { a: 1, b: 2, c: [3] })),
    '    {\n      a: 1,\n+     b: 2,\n+     c: [\n+       3,\n+     ],\n-     b: "2",\n-     c: 3,\n    }',
  );
  assertStringIncludes(
    failure(() => assertEquals([1, "2", 3], ["1", "2", 3])),
    '    [\n-     1,\n+     "1",\n      "2",\n      3,\n    ]',
  );
  assertStringIncludes(
    failure(() => assertEquals({ a: 1 }, { a: 2 }, "CUSTOM MESSAGE")),
    "Values are not equal: CUSTOM",
  );
});

Deno.test("assertEquals: the byte arrays of two Blobs (std's example)", async () => {
  const bytes1 = await new Blob(["foo"]).bytes();
  const bytes2 = await new Blob(["foo"]).bytes();
  assertEquals(bytes1, bytes2);
});

Deno.test("assertNotEquals: passes when deeply different", () => {
  assertNotEquals(1, 2);
  assertNotEquals({ a: 1 }, { a: 2 });
  assertStringIncludes(failure(() => assertNotEquals(1, 1)), "Expected actual: 1 not to be: 1.");
  failure(() => assertNotEquals({ a: [1] }, { a: [1] }));
  failure(() => assertNotEquals(0, -0));
});

Deno.test("assertStrictEquals and assertNotStrictEquals: Object.is", () => {
  const a = {};
  assertStrictEquals(a, a);
  assertStringIncludes(
    failure(() => assertStrictEquals({}, {})),
    "Values have the same structure but are not reference-equal.",
  );
  assertStringIncludes(failure(() => assertStrictEquals(1, 2)), "Values are not strictly equal.");
  assertStringIncludes(failure(() => assertStrictEquals("a", "b", "CUSTOM")), "Values are not strictly equal: CUSTOM");
  failure(() => assertStrictEquals(0, -0));
  assertStrictEquals(NaN, NaN);
  assertNotStrictEquals(1, 2);
  assertNotStrictEquals(0, -0);
  assertNotStrictEquals({}, {});
  assertStringIncludes(failure(() => assertNotStrictEquals(1, 1)), 'Expected "actual" to not be strictly equal to: 1.');
  failure(() => assertNotStrictEquals(0, 0));
});

Deno.test("assertExists: only null and undefined fail", () => {
  assertExists("something");
  for (const v of [0, "", false, NaN]) assertExists(v);
  assertStrictEquals(
    failure(() => assertExists(undefined)),
    'Expected actual: "undefined" to not be null or undefined.',
  );
  assertStrictEquals(
    failure(() => assertExists(null, "CUSTOM")),
    'Expected actual: "null" to not be null or undefined: CUSTOM',
  );
});

Deno.test("assertGreater, assertGreaterOrEqual, assertLess, assertLessOrEqual", () => {
  assertGreater(2, 1);
  assertStrictEquals(failure(() => assertGreater(1, 1)), "Expect 1 > 1");
  failure(() => assertGreater(0, 1));
  assertGreaterOrEqual(2, 1);
  assertGreaterOrEqual(1, 1);
  assertStrictEquals(failure(() => assertGreaterOrEqual(0, 1)), "Expect 0 >= 1");
  assertLess(1, 2);
  assertStrictEquals(failure(() => assertLess(2, 1)), "Expect 2 < 1");
  assertLessOrEqual(1, 2);
  assertLessOrEqual(1, 1);
  assertStrictEquals(failure(() => assertLessOrEqual(1, 0)), "Expect 1 <= 0");
  // NaN compares false every way; the message replaces the default.
  failure(() => assertGreaterOrEqual(NaN, 0));
  assertStrictEquals(failure(() => assertLess(NaN, 0, "CUSTOM")), "CUSTOM");
  assertGreater(new Date(2), new Date(1));
  assertStrictEquals(failure(() => assertGreater("a", "b")), 'Expect "a" > "b"');
});

Deno.test("assertInstanceOf and assertNotInstanceOf", () => {
  assertInstanceOf(new Date(), Date);
  assertStrictEquals(
    failure(() => assertInstanceOf(new Date(), Number)),
    'Expected object to be an instance of "Number" but was "Date".',
  );
  assertStrictEquals(
    failure(() => assertInstanceOf(null, Date)),
    'Expected object to be an instance of "Date" but was "null".',
  );
  assertStrictEquals(
    failure(() => assertInstanceOf(5, Number)),
    'Expected object to be an instance of "Number" but was "number".',
  );
  assertStrictEquals(
    failure(() => assertInstanceOf(Date, Date)),
    'Expected object to be an instance of "Date" but was not an instanced object.',
  );
  assertNotInstanceOf(new Date(), Number);
  assertStrictEquals(
    failure(() => assertNotInstanceOf(new Date(), Date)),
    'Expected object to not be an instance of "function".',
  );
});

Deno.test("assertIsError: class, message substring or RegExp", () => {
  class CustomError extends Error {}
  class AnotherCustomError extends Error {}
  assertIsError(new RangeError("Out of range"));
  assertIsError(new AssertionError("Fail!"), Error, "Fail!");
  assertIsError(new CustomError("failed"), CustomError, "fail");
  assertIsError(new AssertionError("Regex test"), Error, /ege/);
  assertStrictEquals(failure(() => assertIsError(null)), 'Expected "error" to be an Error object.');
  assertStrictEquals(
    failure(() => assertIsError(new RangeError("Out of range"), SyntaxError)),
    'Expected error to be instance of "SyntaxError", but was "RangeError".',
  );
  // std's example marks this one "Doesn't throw", but its code (and std's tests) check the class first: it throws.
  failure(() => assertIsError(new RangeError("Out of range"), SyntaxError, "Out of range"));
  assertStrictEquals(
    failure(() => assertIsError(new RangeError("Out of range"), RangeError, "Within range")),
    'Expected error message to include "Within range", but got "Out of range".',
  );
  assertStrictEquals(
    failure(() => assertIsError(new AssertionError("Regex test"), Error, /egg/)),
    'Expected error message to include /egg/, but got "Regex test".',
  );
  assertStrictEquals(
    failure(() => assertIsError(new CustomError("failed"), AnotherCustomError, "fail", "CUSTOM MESSAGE")),
    'Expected error to be instance of "AnotherCustomError", but was "CustomError": CUSTOM MESSAGE',
  );
  // ANSI colour codes in the message are ignored.
  assertIsError(new Error("\x1b[31mred\x1b[39m text"), Error, "red text");
});

Deno.test("assertMatch and assertNotMatch", () => {
  assertMatch("Raptor", /Raptor/);
  assertStrictEquals(
    failure(() => assertMatch("Denosaurus", /Raptor/)),
    'Expected actual: "Denosaurus" to match: "/Raptor/".',
  );
  assertNotMatch("Denosaurus", /Raptor/);
  assertStrictEquals(
    failure(() => assertNotMatch("Raptor", /Raptor/, "CUSTOM")),
    'Expected actual: "Raptor" to not match: "/Raptor/": CUSTOM',
  );
});

Deno.test("assertStringIncludes", () => {
  assertStringIncludes("Hello", "ello");
  assertStrictEquals(
    failure(() => assertStringIncludes("Hello", "world")),
    'Expected actual: "Hello" to contain: "world".',
  );
});

Deno.test("assertArrayIncludes: primitives by SameValueZero, objects deeply", () => {
  assertArrayIncludes([1, 2, 3], [2, 3]);
  assertArrayIncludes([{ a: 1 }, { b: 2 }], [{ a: 1 }]);
  assertArrayIncludes(new Uint8Array([1, 2, 3]), new Uint8Array([3]));
  assertArrayIncludes([NaN], [NaN]);
  assertArrayIncludes([[1, 2], [3]], [[3]]);
  const message = failure(() => assertArrayIncludes([1, 2, 3], [4]));
  assertStringIncludes(message, "Expected actual: ");
  assertStringIncludes(message, "missing: [\n  4,\n]");
  assertStringIncludes(failure(() => assertArrayIncludes([{ a: 1 }], [{ a: 2 }], "CUSTOM")), ": CUSTOM\nmissing:");
});

Deno.test("assertObjectMatch: expected is a deep subset of actual", () => {
  assertObjectMatch({ foo: "bar" }, { foo: "bar" });
  assertStringIncludes(failure(() => assertObjectMatch({ foo: "bar" }, { foo: "baz" })), "Values are not equal.");
  assertObjectMatch({ foo: 1, bar: 2 }, { foo: 1 });
  failure(() => assertObjectMatch({ foo: 1 }, { foo: 1, bar: 2 }));
  assertObjectMatch({ foo: { bar: 3, baz: 4 } }, { foo: { bar: 3 } });
  failure(() => assertObjectMatch({ foo: { bar: 3 } }, { foo: { bar: 3, baz: 4 } }));
  // Arrays by position, RegExp and Date kept whole, Maps and Sets by common entries, circular values.
  const h = { foo: [1, 2, 3], bar: true };
  assertObjectMatch(h, { foo: [] });
  assertObjectMatch(h, { foo: [1, 2] });
  failure(() => assertObjectMatch(h, { foo: [2] }));
  assertObjectMatch({ foo: /abc+/i, bar: [/abc/g] }, { foo: /abc+/i });
  failure(() => assertObjectMatch({ foo: /abc+/i }, { foo: /abc+/g }));
  failure(() => assertObjectMatch({ startTime: new Date(1000) }, { startTime: new Date(2000) }));
  const n = { foo: new Set(["foo", "bar"]), bar: new Map([["foo", 1], ["bar", 2]]) };
  assertObjectMatch(n, { foo: new Set(["foo"]) });
  assertObjectMatch(n, { bar: new Map([["bar", 2]]) });
  failure(() => assertObjectMatch(n, { bar: new Map([["bar", 3]]) }));
  const e = { foo: true } as Record<string, unknown>;
  e.bar = e;
  assertObjectMatch(e, { foo: true, bar: { bar: { bar: { foo: true } } } });
  failure(() => assertObjectMatch(e, { foo: true, bar: { bar: { bar: { foo: false } } } }));
  const sym = Symbol("foo");
  assertObjectMatch({ [sym]: true, bar: false }, { [sym]: true });
  failure(() => assertObjectMatch({ [sym]: true, bar: false }, { [sym]: false }));
});

Deno.test("assertThrows: returns what was thrown; checks class and message when given", () => {
  const error = assertThrows(() => {
    throw new TypeError("hello world!");
  });
  assert(error instanceof TypeError);
  assertStrictEquals(error.message, "hello world!");
  assertStrictEquals(
    failure(() => assertThrows(() => "hello world!".length)),
    "Expected function to throw.",
  );
  const typed: TypeError = assertThrows(() => {
    throw new TypeError("hello world!");
  }, TypeError);
  assertStrictEquals(typed.message, "hello world!");
  assertStrictEquals(
    failure(() =>
      assertThrows(() => {
        throw new TypeError("hello world!");
      }, RangeError)
    ),
    'Expected error to be instance of "RangeError", but was "TypeError".',
  );
  assertStringIncludes(
    failure(() => assertThrows(() => fail("foo"), TypeError, "Failed assertion: foo")),
    'Expected error to be instance of "TypeError", but was "AssertionError"',
  );
  assertStrictEquals(
    failure(() =>
      assertThrows(
        () => {
          throw new Error("foo");
        },
        Error,
        "bar",
      )
    ),
    'Expected error message to include "bar", but got "foo".',
  );
});

Deno.test("assertThrows: non-Error values, subclasses, abstract classes, custom messages", () => {
  assertStrictEquals(
    assertThrows(() => {
      throw "Panic!";
    }),
    "Panic!",
  );
  assertStrictEquals(
    assertThrows(() => {
      throw null;
    }),
    null,
  );
  assertStrictEquals(
    failure(() =>
      assertThrows(
        () => {
          throw "Panic!";
        },
        Error,
        "Panic!",
      )
    ),
    "A non-Error object was thrown.",
  );
  assertThrows(
    () => {
      throw new AssertionError("Fail!");
    },
    Error,
    "Fail!",
  );
  abstract class AbstractError extends Error {}
  class ConcreteError extends AbstractError {}
  assertThrows(
    () => {
      throw new ConcreteError("failed");
    },
    AbstractError,
    "fail",
  );
  assertStrictEquals(
    failure(() => assertThrows(() => {}, "CUSTOM MESSAGE")),
    "Expected function to throw: CUSTOM MESSAGE",
  );
  assertStrictEquals(
    // @ts-expect-error std's test: a null class reads the third argument as the message
    failure(() => assertThrows(() => {}, null, "CUSTOM MESSAGE")),
    "Expected function to throw: CUSTOM MESSAGE",
  );
});

Deno.test("assertRejects: resolves to the rejection; checks class and message when given", async () => {
  await assertRejects(() => Promise.reject(new Error()));
  assertStrictEquals(
    await rejection(() => assertRejects(() => Promise.resolve("Hello world"))),
    "Expected function to reject.",
  );
  await assertRejects(() => Promise.reject(new Error()), Error);
  assertStrictEquals(
    await rejection(() => assertRejects(() => Promise.reject(new Error()), SyntaxError)),
    'Expected error to be instance of "SyntaxError", but was "Error".',
  );
  const error = await assertRejects(() => Promise.reject(new RangeError("foo")), RangeError, "fo");
  assertStrictEquals(error.message, "foo");
  assertStrictEquals(await assertRejects(() => Promise.reject("Panic!")), "Panic!");
  assertStrictEquals(
    await rejection(() => assertRejects(() => Promise.reject("Panic!"), Error, "Panic!")),
    "A non-Error object was rejected.",
  );
  assertStrictEquals(
    await rejection(() => assertRejects(async () => await Promise.resolve(42), "CUSTOM MESSAGE")),
    "Expected function to reject: CUSTOM MESSAGE",
  );
  assertStrictEquals(
    // @ts-expect-error unlike assertThrows, std's assertRejects keeps the fourth argument as the message after null
    await rejection(() => assertRejects(() => Promise.resolve(), null, "IGNORED", "CUSTOM MESSAGE")),
    "Expected function to reject: CUSTOM MESSAGE",
  );
});

Deno.test("assertRejects: a synchronous throw or a non-promise fails; a PromiseLike works", async () => {
  assertStrictEquals(
    await rejection(() =>
      assertRejects(() => {
        throw new Error("sync");
      })
    ),
    "Function throws when expected to reject.",
  );
  assertStrictEquals(
    // @ts-expect-error std's test: the function returns no promise
    await rejection(() => assertRejects(() => {})),
    "Function throws when expected to reject.",
  );
  await assertRejects(
    () => ({
      then() {
        throw new Error("some error");
      },
    }),
    Error,
    "some error",
  );
});

Deno.test("fail, unreachable and unimplemented always throw", () => {
  assertStrictEquals(failure(() => fail("Deliberately failed!")), "Failed assertion: Deliberately failed!");
  assertStrictEquals(failure(() => fail()), "Failed assertion.");
  assertStrictEquals(failure(() => unreachable()), "Unreachable.");
  assertStrictEquals(failure(() => unreachable("CUSTOM")), "Unreachable: CUSTOM");
  assertStrictEquals(failure(() => unimplemented()), "Unimplemented.");
  assertStrictEquals(failure(() => unimplemented("CUSTOM")), "Unimplemented: CUSTOM");
});

Deno.test("internal: format sorts keys; diff and diffStr mark removed and added parts", () => {
  assertStrictEquals(format({ b: 2, a: 1 }), "{\n  a: 1,\n  b: 2,\n}");
  assertStrictEquals(format(new Set([1, 2])), "Set(2) {\n  1,\n  2,\n}");
  assertStrictEquals(format(new Map([[1, 2]])), "Map(1) {\n  1 => 2,\n}");
  assertEquals(diff([1, 2, 3], [1, 2, 4]), [
    { type: "common", value: 1 },
    { type: "common", value: 2 },
    { type: "removed", value: 3 },
    { type: "added", value: 4 },
  ]);
  assertEquals(diffStr("Hello!", "Hello"), [
    {
      type: "removed",
      value: "Hello!\n",
      details: [{ type: "common", value: "Hello" }, { type: "removed", value: "!" }, { type: "common", value: "\n" }],
    },
    { type: "added", value: "Hello\n", details: [{ type: "common", value: "Hello" }, { type: "common", value: "\n" }] },
  ]);
  const lines = buildMessage(diffStr("Hello, world!", "Hello, world"), { stringDiff: true }).map(stripAnsiCode);
  assertEquals(lines, ["", "", "    [Diff] Actual / Expected", "", "", "-   Hello, world!\n+   Hello, world\n", ""]);
});
