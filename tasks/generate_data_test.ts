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
  const later = parseGenerateArgs(["--rows", "500", "--period", "2021-09-01/2021-12-31", "--downturn"]);
  assertEquals(later.period?.start, "2021-09-01");
  assertEquals([later.period?.end, later.period?.shift?.rateShift], ["2021-12-31", 2]);
  assertEquals(parseGenerateArgs(["--period", "2021-09-01/2021-12-31"]).period?.shift, undefined);
  assertThrows(() => parseGenerateArgs(["--period", "2021-12-31/2021-09-01"]), UsageError, `"--period"`);
  assertThrows(() => parseGenerateArgs(["--downturn"]), UsageError, `"--downturn" needs`);
});
