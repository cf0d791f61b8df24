import { assertEquals, assertThrows } from "@std/assert";
import { UsageError } from "../lib/cli/mod.ts";
import { parsePromoteArgs } from "./promote.ts";

Deno.test("promote task: --version is required and positive", () => {
  assertEquals(parsePromoteArgs(["--version", "2"]), {
    version: 2,
    alias: "champion",
    name: undefined, // the repo's model name
    repo: undefined,
    help: false,
  });
  assertEquals(parsePromoteArgs(["--version", "4", "--alias", "challenger"]).alias, "challenger");
  assertThrows(() => parsePromoteArgs([]), UsageError, `"--version" is required`);
  assertThrows(() => parsePromoteArgs(["--version", "0"]), UsageError, "expected >= 1");
});
