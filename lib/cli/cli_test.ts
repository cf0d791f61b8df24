import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import {
  choiceFlag,
  intFlag,
  numberFlag,
  parseTaskArgs,
  UsageError,
  WRITE_REFUSAL_HINT,
  writeRefusalHint,
} from "./args.ts";
import { formatCount, formatDuration, Progress } from "./progress.ts";
import { createLogger } from "./log.ts";

Deno.test("parseTaskArgs: unknown flags are usage errors naming the flag", () => {
  const spec = { usage: "deno task x [--rows N]", options: { rows: { type: "string" as const } } };
  assertEquals(parseTaskArgs(["--rows", "5"], spec).values.rows, "5");
  const err = assertThrows(() => parseTaskArgs(["--rosw", "5"], spec), UsageError);
  assertStringIncludes(err.message, "--rosw");
  assertEquals(err.usage, "deno task x [--rows N]");
});

Deno.test("intFlag: suffixes, bounds and bad values", () => {
  assertEquals(intFlag({ rows: "10M" }, "rows"), 10_000_000);
  assertEquals(intFlag({ rows: "1_000" }, "rows"), 1000);
  assertEquals(intFlag({ rows: "2k" }, "rows"), 2000);
  assertEquals(intFlag({}, "rows", { fallback: 7 }), 7);
  assertThrows(() => intFlag({ rows: "ten" }, "rows"), UsageError, `Flag "--rows" is "ten"`);
  assertThrows(() => intFlag({ rows: "0" }, "rows", { min: 1 }), UsageError, "expected >= 1");
  assertThrows(() => intFlag({}, "rows"), UsageError, "required");
});

Deno.test("numberFlag: absent, a number the check accepts, or an error saying what was expected", () => {
  const opts = { check: (x: number) => x > 0 && x <= 1, expected: "a number in (0, 1]", usage: "u" };
  assertEquals(numberFlag({}, "share", opts), undefined);
  assertEquals(numberFlag({ share: "0.5" }, "share", opts), 0.5);
  const err = assertThrows(() => numberFlag({ share: "2" }, "share", opts), UsageError);
  assertEquals(err.message, `Flag "--share" is "2"; expected a number in (0, 1]`);
  assertEquals(err.usage, "u");
  assertThrows(() => numberFlag({ share: " " }, "share"), UsageError, `Flag "--share" is " "; expected a number`);
  assertThrows(() => numberFlag({ share: "Infinity" }, "share"), UsageError);
});

Deno.test("choiceFlag: one of the words, a fallback, or an error listing them with the usage", () => {
  assertEquals(choiceFlag({ model: "mlp" }, "model", ["mlp", "logistic"]), "mlp");
  assertEquals(choiceFlag({}, "reasons", ["all", "rejected", "none"], { fallback: "all" }), "all");
  assertThrows(() => choiceFlag({}, "model", ["mlp", "logistic"]), UsageError, `Flag "--model" is required`);
  const err = assertThrows(
    () => choiceFlag({ reasons: "some" }, "reasons", ["all", "rejected", "none"], { usage: "deno task score" }),
    UsageError,
  );
  assertEquals(err.message, `Flag "--reasons" is "some"; expected "all", "rejected" or "none"`);
  assertEquals(err.usage, "deno task score");
  assertThrows(() => choiceFlag({ data: "x" }, "data", ["real"]), UsageError, `expected "real"`);
});

Deno.test("Progress: terminal redraws with rate and time left; lines mode prints quarters only", () => {
  let t = 0;
  const out: string[] = [];
  const tty = new Progress({
    label: "loans",
    total: 1000,
    mode: "tty",
    intervalMs: 0,
    write: (s) => out.push(s),
    now: () => t,
  });
  t = 1000;
  tty.update(250);
  assertStringIncludes(out.at(-1)!, "loans: 250 / 1000 rows (25%), 250/s, 1.0s elapsed, 3.0s left");
  const lines: string[] = [];
  const quiet = new Progress({ label: "x", total: 100, mode: "lines", write: (s) => lines.push(s), now: () => t });
  for (let i = 1; i <= 100; i++) quiet.update(i);
  quiet.done();
  assertEquals(lines.length, 4); // 25%, 50%, 75%, final
  const silent: string[] = [];
  const none = new Progress({ label: "x", total: 10, mode: "silent", write: (s) => silent.push(s) });
  none.update(10);
  none.done();
  assertEquals(silent, []);
});

Deno.test("formatCount and formatDuration", () => {
  assertEquals(formatCount(950), "950");
  assertEquals(formatCount(12_345), "12.3k");
  assertEquals(formatCount(4_560_000), "4.56M");
  assertEquals(formatDuration(185), "3m05s");
  assertEquals(formatDuration(3720), "1h02m");
});

Deno.test("createLogger: levels and prefixes", () => {
  const lines: string[] = [];
  const log = createLogger("demo", { level: "info", out: (l) => lines.push(l), err: (l) => lines.push(l) });
  log.debug("hidden");
  log.info("shown");
  log.warn("careful");
  assertEquals(lines, ["shown", "[demo] warn: careful"]);
});

Deno.test("writeRefusalHint: a refused write, also wrapped by the io layer, gets the hint naming TOOLKIT_ALLOW_WRITE", () => {
  const refused = new Deno.errors.NotCapable('Requires write access to "/x", run again with the --allow-write flag');
  assertEquals(writeRefusalHint(refused), WRITE_REFUSAL_HINT);
  const wrapped = new Error('Cannot access "/x/registry.json"', { cause: new Error("inner", { cause: refused }) });
  assertEquals(writeRefusalHint(wrapped), WRITE_REFUSAL_HINT);
  assertEquals(writeRefusalHint(new Error(`Cannot access "/x": ${refused.message}`)), WRITE_REFUSAL_HINT);
  assertEquals(writeRefusalHint(new Error("No such file")), null);
  assertEquals(writeRefusalHint(new Deno.errors.NotCapable('Requires net access to "example.com:443"')), null);
  assertEquals(writeRefusalHint(new Deno.errors.PermissionDenied("Permission denied (os error 13)")), null);
  assertEquals(writeRefusalHint("a string"), null);
  assert(WRITE_REFUSAL_HINT.includes("TOOLKIT_ALLOW_WRITE"));
});
