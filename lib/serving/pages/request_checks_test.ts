import { assertEquals } from "@std/assert";
import { checkRequest, expectedOf, type FormField, parseNumber, patternOf } from "./request_checks.js";
import { type RangeRule, validateRow } from "../../model/preprocess.ts";

/** An insurance claim: a request schema that has nothing to do with loans. */
const fields: FormField[] = [
  { name: "policy_id", label: "policy number", kind: "integer", min: 1 },
  {
    name: "region",
    label: "region",
    kind: "enum",
    values: ["NORTH", "SOUTH", "EAST", "WEST"],
    options: [
      { value: "NORTH", label: "North" },
      { value: "SOUTH", label: "South" },
      { value: "EAST", label: "East" },
      { value: "WEST", label: "West" },
    ],
    upper_case: true,
  },
  { name: "channel", label: "claim channel", kind: "enum", values: ["web", "phone", "agent"] },
  { name: "claim_amount", label: "claim amount (EUR)", kind: "number", min: 0, range_label: "claim amount" },
  { name: "driver_age", label: "driver's age", kind: "integer", min: 16, max: 100 },
  {
    name: "vehicle_age",
    label: "vehicle age (years)",
    kind: "integer",
    min: 0,
    max: 40,
    max_field: "driver_age",
    range_label: "vehicle age",
  },
  {
    name: "incident_code",
    label: "incident code",
    kind: "text",
    pattern: "\\d{8}_\\d{4}",
    pattern_hint: "YYYYMMDD_NNNN (incident date, report number)",
  },
  { name: "witnesses", label: "number of witnesses", kind: "integer", min: 0, nullable: true },
  { name: "repair_shop", label: "repair shop", kind: "text", nullable: true },
];
const rules = { fields };

/** A good claim as typed into the form. */
const good: Record<string, string> = {
  policy_id: " 40,213 ",
  region: "north",
  channel: "Phone",
  claim_amount: "12 500.75",
  driver_age: "41",
  vehicle_age: "7",
  incident_code: "20240305_0042",
  witnesses: "",
  repair_shop: "  Garage Dupont ",
};

Deno.test("request checks: a good claim becomes exactly the JSON body /score is sent", () => {
  const { body, errors } = checkRequest(good, rules);
  assertEquals(errors, {});
  assertEquals(body, {
    policy_id: 40213,
    region: "NORTH", // upper_case: sent upper-cased
    channel: "phone", // the listed value, as listed
    claim_amount: 12500.75,
    driver_age: 41,
    vehicle_age: 7,
    incident_code: "20240305_0042",
    witnesses: null, // nullable and empty: null, for the model to impute
    repair_shop: "Garage Dupont",
  });
  // the body is JSON as is: numbers stay numbers, null stays null
  assertEquals(JSON.parse(JSON.stringify(body)), body);
  // a nullable field that is filled in is checked and sent like any other
  assertEquals(checkRequest({ ...good, witnesses: "2" }, rules).body?.witnesses, 2);
  // the edges are allowed: min, max and max_field are inclusive
  const edges = checkRequest({ ...good, claim_amount: "0", driver_age: "16", vehicle_age: "16" }, rules);
  assertEquals(edges.errors, {});
  assertEquals([edges.body?.claim_amount, edges.body?.vehicle_age], [0, 16]);
  assertEquals(checkRequest({ ...good, driver_age: "100", vehicle_age: "40" }, rules).errors, {});
});

Deno.test("request checks: each bad value names its field, its label and what is expected", () => {
  const cases: [Record<string, string>, Record<string, string>][] = [
    [{ policy_id: "" }, { policy_id: "Policy number is required" }],
    [{ policy_id: "   " }, { policy_id: "Policy number is required" }],
    [{ policy_id: "12a" }, { policy_id: 'Policy number must be a whole number, got "12a"' }],
    [{ policy_id: "4.5" }, { policy_id: "Policy number must be a whole number, got 4.5" }],
    [{ policy_id: "0" }, { policy_id: "policy number is 0; expected at least 1" }],
    [{ region: "" }, { region: "Choose the region" }],
    [{ region: "CENTRAL" }, { region: 'Region is "CENTRAL"; expected one of NORTH, SOUTH, EAST, WEST' }],
    [{ channel: "fax" }, { channel: 'Claim channel is "fax"; expected one of web, phone, agent' }],
    [{ claim_amount: "-0.01" }, { claim_amount: "claim amount is -0.01; expected at least 0" }],
    [{ claim_amount: "lots" }, { claim_amount: 'Claim amount (EUR) must be a number, got "lots"' }],
    [{ claim_amount: "1e6" }, { claim_amount: 'Claim amount (EUR) must be a number, got "1e6"' }],
    [{ driver_age: "101" }, { driver_age: "driver's age is 101; expected between 16 and 100" }],
    [{ vehicle_age: "41" }, { vehicle_age: "vehicle age is 41; expected between 0 and 40" }],
    [{ vehicle_age: "-1" }, { vehicle_age: "vehicle age is -1; expected between 0 and 40" }],
    [{ driver_age: "18", vehicle_age: "19" }, {
      vehicle_age: "vehicle age is 19; expected at most driver's age (18)",
    }],
    [{ incident_code: "2024-03-05" }, {
      incident_code: 'Incident code is "2024-03-05"; expected YYYYMMDD_NNNN (incident date, report number)',
    }],
    // the whole value must match, not a part of it
    [{ incident_code: "20240305_00421" }, {
      incident_code: 'Incident code is "20240305_00421"; expected YYYYMMDD_NNNN (incident date, report number)',
    }],
    [{ incident_code: "x20240305_0042" }, {
      incident_code: 'Incident code is "x20240305_0042"; expected YYYYMMDD_NNNN (incident date, report number)',
    }],
    [{ incident_code: "" }, { incident_code: "Incident code is required" }],
    [{ witnesses: "-2" }, { witnesses: "number of witnesses is -2; expected at least 0" }],
    [{ witnesses: "two" }, { witnesses: 'Number of witnesses must be a whole number, got "two"' }],
    // several at once: each is named
    [{ policy_id: "", region: "MOON", vehicle_age: "99" }, {
      policy_id: "Policy number is required",
      region: 'Region is "MOON"; expected one of NORTH, SOUTH, EAST, WEST',
      vehicle_age: "vehicle age is 99; expected between 0 and 40",
    }],
  ];
  for (const [changed, expected] of cases) {
    const { body, errors } = checkRequest({ ...good, ...changed }, rules);
    assertEquals(body, null, JSON.stringify(changed));
    assertEquals(errors, expected, JSON.stringify(changed));
  }
  // a max_field comparison needs both numbers: a bad driver's age is reported alone
  assertEquals(checkRequest({ ...good, driver_age: "abc", vehicle_age: "30" }, rules).errors, {
    driver_age: `Driver's age must be a whole number, got "abc"`,
  });
});

Deno.test("request checks: range messages use the server's wording (the model's validateRow)", () => {
  const ranges: RangeRule[] = fields
    .filter((f) => f.min !== undefined || f.max !== undefined)
    .map((f) => ({ column: f.name, min: f.min, max: f.max, label: f.range_label ?? f.label }));
  const cases: Record<string, number>[] = [
    { policy_id: 0 },
    { claim_amount: -3.5 },
    { driver_age: 12 },
    { vehicle_age: 41 },
    { witnesses: -1 },
  ];
  for (const changed of cases) {
    const [[name, value]] = Object.entries(changed);
    const server = validateRow({ ...checkRequest(good, rules).body, ...changed }, ranges);
    assertEquals(server.map((p) => p.column), [name]);
    const { errors } = checkRequest({ ...good, [name]: String(value) }, rules);
    assertEquals(errors, { [name]: server[0].reason });
  }
});

Deno.test("request checks: enum membership is case-insensitive, the value sent is the listed one", () => {
  for (const typed of ["south", "South", " SOUTH "]) {
    assertEquals(checkRequest({ ...good, region: typed }, rules).body?.region, "SOUTH", typed);
  }
  for (const typed of ["AGENT", "Agent", "agent"]) {
    assertEquals(checkRequest({ ...good, channel: typed }, rules).body?.channel, "agent", typed);
  }
  // upper_case: values listed in lower case are still sent upper-cased
  const lower = {
    fields: [{ name: "tier", label: "tier", kind: "enum" as const, values: ["gold"], upper_case: true }],
  };
  assertEquals(checkRequest({ tier: "Gold" }, lower).body, { tier: "GOLD" });
  // a nullable enum left at "Not known" is null
  const optional = { fields: [{ ...lower.fields[0], nullable: true }] };
  assertEquals(checkRequest({ tier: "" }, optional), { body: { tier: null }, errors: {} });
  // values for fields that are not in the rules are never sent
  assertEquals(Object.keys(checkRequest({ ...good, admin: "1" }, rules).body!).includes("admin"), false);
});

Deno.test("request checks: typed numbers, patterns and hints", () => {
  assertEquals(parseNumber(" 59,000 "), 59000);
  assertEquals(parseNumber("1_000_000.5"), 1000000.5);
  assertEquals(parseNumber("12 500"), 12500);
  assertEquals(parseNumber("-.5"), -0.5);
  assertEquals(parseNumber(""), null);
  assertEquals(parseNumber(null), null);
  for (const bad of ["1,00", "12,5000", "abc", "1e3", "Infinity", "0x10", "1..2", "--1"]) {
    assertEquals(Number.isNaN(parseNumber(bad)), true, bad);
  }
  const code = fields.find((f) => f.name === "incident_code")!;
  assertEquals(patternOf(code)?.test("20240305_0042"), true);
  assertEquals(patternOf(code)?.test("20240305_0042\n"), false);
  // an alternation is anchored as a whole: "a|b" must not let "ab" or "xa" through
  const alt: FormField = { name: "x", label: "x", kind: "text", pattern: "a|b" };
  assertEquals(["a", "b", "ab", "xa"].map((v) => patternOf(alt)!.test(v)), [true, true, false, false]);
  assertEquals(checkRequest({ x: "xa" }, { fields: [alt] }).errors, { x: 'X is "xa"; expected text matching a|b' });
  assertEquals(patternOf({ name: "t", label: "t", kind: "text" }), null);
  assertEquals(expectedOf(fields[4]), "a whole number between 16 and 100");
  assertEquals(expectedOf(fields[3]), "a number at least 0");
  assertEquals(expectedOf(fields[1]), "one of NORTH, SOUTH, EAST, WEST");
  assertEquals(expectedOf(code), "YYYYMMDD_NNNN (incident date, report number)");
  assertEquals(expectedOf({ name: "n", label: "n", kind: "number" }), "a number");
});
