import { assert, assertAlmostEquals, assertEquals, AssertionError, assertRejects, assertThrows } from "./assert.ts";

Deno.test("assertEquals compares deeply and fails with AssertionError", () => {
  assertEquals({ a: [1, 2] }, { a: [1, 2] });
  const err = assertThrows(() => assertEquals({ a: 1 }, { a: 2 }), AssertionError);
  assert(err.message.length > 0);
});

Deno.test("assertThrows checks the class and message, and fails when nothing throws", () => {
  assertThrows(
    () => {
      throw new RangeError("bad value 7");
    },
    RangeError,
    "value 7",
  );
  assertThrows(() => assertThrows(() => {}), AssertionError, "Expected function to throw");
  assertThrows(() =>
    assertThrows(() => {
      throw new Error("other");
    }, RangeError), AssertionError);
});

Deno.test("assertRejects and assertAlmostEquals", async () => {
  await assertRejects(() => Promise.reject(new TypeError("nope")), TypeError, "nope");
  await assertRejects(() => assertRejects(() => Promise.resolve(1)), AssertionError);
  assertAlmostEquals(0.1 + 0.2, 0.3);
  assertThrows(() => assertAlmostEquals(1, 1.1, 1e-3), AssertionError);
});
