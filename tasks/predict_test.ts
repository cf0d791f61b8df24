import { assertEquals, assertThrows } from "@std/assert";
import { UsageError } from "../lib/cli/mod.ts";
import { parsePredictArgs } from "./predict.ts";

Deno.test("predict task: the application from flags; errors name the flag", () => {
  const base = ["--zipcode", "76104", "--dob-ssn", "19530219_5179", "--person-age", "22", "--person-income", "59000"];
  const p = parsePredictArgs([...base, "--loan-intent", "personal", "--loan-amnt", "35000", "--model", "3"]);
  assertEquals(p.application, {
    zipcode: 76104,
    dob_ssn: "19530219_5179",
    person_age: 22,
    person_income: 59000,
    loan_intent: "PERSONAL",
    loan_amnt: 35000,
  });
  assertEquals(p.model, { version: 3 });
  assertEquals(parsePredictArgs(base).model, { alias: "champion" });
  const cases: [string[], string][] = [
    [base.slice(2), `"--zipcode" is required`],
    [["--zipcode", "ABC", ...base.slice(2)], `Flag "--zipcode" is "ABC"`],
    [[...base.slice(0, 2), "--dob-ssn", "1953", ...base.slice(4)], `Flag "--dob-ssn" is "1953"`],
    [base.slice(0, 6), `"--person-income" is required`],
    [[...base, "--loan-amnt", "lots"], `Flag "--loan-amnt" is "lots"`],
    [[...base, "--at", "yesterday"], `Flag "--at" is "yesterday"`],
  ];
  for (const [args, message] of cases) assertThrows(() => parsePredictArgs(args), UsageError, message);
});
