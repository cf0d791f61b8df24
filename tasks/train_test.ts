import { assertEquals, assertThrows } from "@std/assert";
import { UsageError } from "../lib/cli/mod.ts";
import { parseTrainArgs } from "./train.ts";

Deno.test("train task: defaults and policies", () => {
  const d = parseTrainArgs([]);
  // model type, data, name and policy default to the repo's model spec (resolved when the repo is opened)
  assertEquals([d.model, d.data, d.seed, d.name, d.policy, d.repo], [
    undefined,
    undefined,
    42,
    undefined,
    undefined,
    undefined,
  ]);
  assertEquals(parseTrainArgs(["--target-recall", "0.8"]).policy, { kind: "target_recall", targetRecall: 0.8 });
  assertEquals(parseTrainArgs(["--repo", "/srv/churn", "--data", "real"]).repo, "/srv/churn");
  assertEquals(parseTrainArgs(["--cost-missed-default", "5", "--cost-rejected-good", "1"]).policy, {
    kind: "min_cost",
    costMissedDefault: 5,
    costRejectedGood: 1,
  });
  assertEquals(parseTrainArgs(["--model", "logistic", "--data", "real", "--seed", "7"]).seed, 7);
});

Deno.test("train task: argument errors name the flag", () => {
  const cases: [string[], string][] = [
    [["--model", "forest"], `Flag "--model" is "forest"`],
    [["--data", " "], `Flag "--data" is empty`],
    [["--target-recall", "1.5"], `Flag "--target-recall" is "1.5"`],
    [["--target-recall", "0.9", "--cost-missed-default", "5", "--cost-rejected-good", "1"], "not both"],
    [["--cost-missed-default", "5"], "Give both"],
    [["--seed", "x"], `Flag "--seed" is "x"`],
    [["--nope"], "nope"],
  ];
  for (const [args, message] of cases) assertThrows(() => parseTrainArgs(args), UsageError, message);
});
