import { assert, assertEquals } from "@std/assert";
import { checkApplication, dobSsn, formFieldOf, isDobSsn, parseNumber } from "./validate.js";
import { applicationRules } from "../pages.ts";
import { isDobSsn as serverIsDobSsn, parseApplication } from "../application.ts";
import { validateApplication } from "../model_spec.ts";

const rules = applicationRules();

/** A good application as typed into the form. */
const good: Record<string, string> = {
  dob: "1953-02-19",
  ssn4: "5179",
  zipcode: "76104",
  person_age: "22",
  person_income: "59,000",
  person_home_ownership: "RENT",
  person_emp_length: "1.5",
  loan_intent: "PERSONAL",
  loan_amnt: "35000",
  loan_int_rate: "16.02",
};

/** The form fields the server flags for an application (400 from parseApplication, else 422 from the ranges). */
function serverFlags(application: Record<string, unknown>): string[] {
  const { application: parsed, problems } = parseApplication(application);
  if (!parsed) return [...new Set(problems.map((p) => formFieldOf(p.field)))].sort();
  return [...new Set(validateApplication(parsed as unknown as Record<string, unknown>).map((p) => p.column))].sort();
}

Deno.test("form checks: a good application becomes exactly what /score accepts", () => {
  const { application, errors } = checkApplication(good, rules, { today: new Date("2024-01-01") });
  assertEquals(errors, {});
  assertEquals(application, {
    zipcode: 76104,
    dob_ssn: "19530219_5179",
    person_age: 22,
    person_income: 59000,
    person_home_ownership: "RENT",
    person_emp_length: 1.5,
    loan_intent: "PERSONAL",
    loan_amnt: 35000,
    loan_int_rate: 16.02,
  });
  assertEquals(serverFlags(application!), []);
});

Deno.test("form checks flag the same fields as the server, with the server's range wording", () => {
  // each case: form values changed, and what the server would be sent for those fields
  const cases: [Record<string, string>, Record<string, unknown>][] = [
    [{ person_age: "133" }, { person_age: 133 }],
    [{ person_age: "17" }, { person_age: 17 }],
    [{ person_age: "22.5" }, { person_age: 22.5 }],
    [{ person_income: "-1" }, { person_income: -1 }],
    [{ loan_amnt: "-5" }, { loan_amnt: -5 }],
    [{ loan_int_rate: "101" }, { loan_int_rate: 101 }],
    [{ person_emp_length: "30" }, { person_emp_length: 30 }],
    [{ person_emp_length: "-1" }, { person_emp_length: -1 }],
    [{ person_age: "133", person_emp_length: "140" }, { person_age: 133, person_emp_length: 140 }],
    [{ zipcode: "7610.5" }, { zipcode: 7610.5 }],
    [{ zipcode: "" }, { zipcode: undefined }],
    [{ loan_intent: "YACHT" }, { loan_intent: "YACHT" }],
    [{ person_home_ownership: "" }, { person_home_ownership: undefined }],
    [{ dob: "1953-02-30" }, { dob_ssn: "19530230_5179" }],
  ];
  for (const [changed, sent] of cases) {
    const { application, errors } = checkApplication({ ...good, ...changed }, rules, { today: new Date("2024-01-01") });
    assertEquals(application, null, JSON.stringify(changed));
    const expected = checkApplication(good, rules).application!;
    const server = serverFlags({ ...expected, ...sent });
    assertEquals(Object.keys(errors).sort(), server, JSON.stringify(changed));
  }
  const { errors } = checkApplication({ ...good, person_age: "133" }, rules);
  assertEquals(errors.person_age, "age is 133; expected between 18 and 100");
  assertEquals(validateApplication({ person_age: 133 })[0].reason, errors.person_age);
  const emp = checkApplication({ ...good, person_emp_length: "30" }, rules).errors.person_emp_length;
  assertEquals(emp, "employment length is 30; expected at most age (22)");
});

Deno.test("form checks: typed numbers, the dob_ssn key and its parts", () => {
  assertEquals(parseNumber(" 59,000 "), 59000);
  assertEquals(parseNumber("1 250 000"), 1250000);
  assertEquals(parseNumber(""), null);
  assert(Number.isNaN(parseNumber("12abc")!));
  assert(Number.isNaN(parseNumber("5,00")!)); // not a thousands separator
  assertEquals(dobSsn("1953-02-19", "5179"), "19530219_5179");
  for (const text of ["19530219_5179", "20000229_0001", "19000229_0001", "19531302_5179", "1953021_5179", "x"]) {
    assertEquals(isDobSsn(text), serverIsDobSsn(text), text);
  }
  const missing = checkApplication({ ...good, dob: "", ssn4: "51a9" }, rules).errors;
  assertEquals(missing.dob, "Date of birth is required");
  assertEquals(missing.ssn4, "Enter exactly four digits");
  const future = checkApplication({ ...good, dob: "2030-01-01" }, rules, { today: new Date("2024-01-01") }).errors;
  assertEquals(future.dob, "Date of birth cannot be in the future");
  assertEquals(
    checkApplication({ ...good, person_income: "lots" }, rules).errors.person_income,
    "Annual income must be a number",
  );
  assertEquals(formFieldOf("dob_ssn"), "dob");
  assertEquals(formFieldOf("loan_amnt"), "loan_amnt");
});
