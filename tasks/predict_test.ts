import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { UsageError } from "../lib/cli/mod.ts";
import type { RepoContext } from "../lib/repo/load.ts";
import { model } from "../lib/credit/features.ts";
import { parsePredictArgs, repoFlagOf, usage } from "./predict.ts";

const spec = model({ config: { data_dir: "data/generated" }, dir: "" } as RepoContext);

Deno.test("predict task: the request from flags named after the spec's fields; errors name the flag", () => {
  const base = [
    ...["--zipcode", "76104", "--dob-ssn", "19530219_5179", "--person-age", "22", "--person-income", "59000"],
    ...["--person-home-ownership", "rent", "--loan-intent", "personal", "--loan-amnt", "35000"],
  ];
  const p = parsePredictArgs([...base, "--model", "3"], spec);
  assertEquals(p.request, {
    zipcode: 76104,
    dob_ssn: "19530219_5179",
    person_age: 22,
    person_income: 59000,
    person_home_ownership: "RENT",
    person_emp_length: null, // nullable: imputed by the model
    loan_intent: "PERSONAL",
    loan_amnt: 35000,
    loan_int_rate: null,
  });
  assertEquals(p.model, { version: 3 });
  assertEquals(parsePredictArgs(base, spec).model, { alias: "champion" });
  const cases: [string[], string][] = [
    [base.slice(2), `Flag "--zipcode": "--zipcode" (zipcode) is required`],
    [["--zipcode", "ABC", ...base.slice(2)], `Flag "--zipcode" is "ABC"; expected a number`],
    [[...base.slice(0, 2), "--dob-ssn", "1953", ...base.slice(4)], `Flag "--dob-ssn": "--dob-ssn" is "1953"`],
    [[...base.slice(0, 2), "--dob-ssn", "19531399_0000", ...base.slice(4)], `not YYYYMMDD_NNNN with a real date`],
    [[...base.slice(0, 12), "--loan-amnt", "lots"], `Flag "--loan-amnt" is "lots"`],
    [[...base.slice(0, 10), "--loan-intent", "yacht", ...base.slice(12)], `expected one of DEBTCONSOLIDATION`],
    [["--zipcode=-1", ...base.slice(2)], `"--zipcode" (zipcode) is -1; expected between 0 and 99999`],
    [[...base, "--at", "yesterday"], `Flag "--at" is "yesterday"`],
    [[...base, "--nosuch", "1"], `nosuch`],
  ];
  for (const [args, message] of cases) assertThrows(() => parsePredictArgs(args, spec), UsageError, message);
  assertEquals(repoFlagOf(["--repo", "/x", "--a", "1"]), "/x");
  assertEquals(repoFlagOf(["--repo=/y"]), "/y");
  assertEquals(repoFlagOf(["--a", "1"]), undefined);
  assertStringIncludes(usage(spec), "--loan-intent DEBTCONSOLIDATION|EDUCATION");
  assertStringIncludes(usage(spec), "[--person-emp-length V]");
});
