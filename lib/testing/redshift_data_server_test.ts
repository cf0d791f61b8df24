import { assertEquals, assertThrows } from "@std/assert";
import { translateParameters } from "./redshift_data_server.ts";

Deno.test("translateParameters maps :name to $n outside literals, identifiers, comments and casts", () => {
  assertEquals(
    translateParameters(`SELECT :a, ':b', ":c", x::int, :a -- :d\nFROM t WHERE y = :b2`, [
      { name: "a", value: "1" },
      { name: "b2", value: "2" },
    ]),
    { text: `SELECT $1, ':b', ":c", x::int, $1 -- :d\nFROM t WHERE y = $2`, values: ["1", "2"] },
  );
  assertThrows(() => translateParameters("SELECT :x", []), Error, `Parameter "x" is used`);
  assertThrows(() => translateParameters("SELECT 1", [{ name: "y", value: "1" }]), Error, `Parameter "y" was given`);
});
