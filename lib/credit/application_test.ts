import { assertEquals } from "@std/assert";
import { applicationFromRow, isDobSsn, parseApplication } from "./application.ts";

const good = {
  zipcode: 76104,
  dob_ssn: "19530219_5179",
  person_age: 22,
  person_income: 59000,
  person_home_ownership: "rent",
  person_emp_length: 1.5,
  loan_intent: "PERSONAL",
  loan_amnt: 35000,
  loan_int_rate: 16.02,
};

Deno.test("parseApplication accepts a good application and normalises categories", () => {
  const { application, problems } = parseApplication(good);
  assertEquals(problems, []);
  assertEquals(application?.person_home_ownership, "RENT");
});

Deno.test("parseApplication names every missing, mistyped, unknown or malformed field", () => {
  const { application, problems } = parseApplication({
    ...good,
    zipcode: "76104",
    person_age: 22.5,
    loan_intent: "YACHT",
    dob_ssn: "19531302_5179",
    loan_amnt: undefined,
    favourite_colour: "red",
  });
  assertEquals(application, undefined);
  assertEquals(problems.map((p) => p.field).sort(), [
    "dob_ssn",
    "favourite_colour",
    "loan_amnt",
    "loan_intent",
    "person_age",
    "zipcode",
  ]);
  assertEquals(problems.find((p) => p.field === "loan_intent")!.message.includes("EDUCATION"), true);
});

Deno.test("isDobSsn checks the calendar date", () => {
  assertEquals(isDobSsn("20000229_0001"), true);
  assertEquals(isDobSsn("19000229_0001"), false);
  assertEquals(isDobSsn("1953021_5179"), false);
});

Deno.test("applicationFromRow keeps the application fields of a row, numbers as numbers", () => {
  const row = { ...good, zipcode: 76104n, person_age: "22", event_timestamp: 1, loan_status: 0 };
  const body = applicationFromRow(row);
  assertEquals(body, { ...good, zipcode: 76104, person_age: 22 });
  assertEquals(Object.keys(body), Object.keys(good));
  assertEquals(parseApplication(body).problems, []);
});
