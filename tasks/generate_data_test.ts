import { assertEquals, assertThrows } from "@std/assert";
import { UsageError } from "../lib/cli/mod.ts";
import { parseGenerateArgs } from "./generate_data.ts";

Deno.test("parseGenerateArgs reads defaults, both flag forms, and names a bad value", () => {
  assertEquals(parseGenerateArgs([]), { rows: 20_000, seed: 42, out: "data/generated" });
  assertEquals(
    parseGenerateArgs(["--rows=10", "--seed", "3", "--out", "s3://b/p/", "--people", "5", "--zipcodes", "7"]),
    {
      rows: 10,
      seed: 3,
      out: "s3://b/p",
      people: 5,
      zipcodes: 7,
    },
  );
  assertEquals(parseGenerateArgs(["--rows", "2k"]).rows, 2000);
  assertThrows(() => parseGenerateArgs(["--rows", "many"]), UsageError, '"many"');
  assertThrows(() => parseGenerateArgs(["--rows", "0"]), UsageError, '"--rows" is 0');
  assertThrows(() => parseGenerateArgs(["--nope", "1"]), UsageError, "--nope");
  assertThrows(() => parseGenerateArgs(["--rows"]), UsageError, "--rows");
});
