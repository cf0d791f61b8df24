import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  type FeatureSpec,
  fitPreprocessor,
  inputColumns,
  Preprocessor,
  toNumber,
  UNKNOWN,
  validateRow,
} from "./preprocess.ts";

const SPEC: FeatureSpec = {
  label: "y",
  features: [
    { kind: "numeric", name: "income", log: true, description: "annual income" },
    { kind: "numeric", name: "rate", description: "interest rate" },
    {
      kind: "ratio",
      name: "lti",
      numerator: ["amount"],
      denominator: "income",
      description: "loan amount relative to income",
    },
    { kind: "product", name: "burden", factors: ["rate", "lti"], description: "interest burden" },
    { kind: "categorical", name: "home", description: "home ownership" },
    { kind: "bucket", name: "age_band", column: "age", edges: [25, 40], description: "age band" },
    { kind: "cross", name: "home_x_intent", columns: ["home", "intent"], description: "home x intent" },
  ],
  rules: [{ column: "age", min: 18, max: 100, label: "age" }, { column: "emp", min: 0, maxColumn: "age" }],
};

const TRAIN = [
  { income: 10_000, rate: 10, amount: 1000, home: "RENT", age: 20, intent: "EDU" },
  { income: 20_000, rate: null, amount: 4000, home: "OWN", age: 30, intent: "EDU" },
  { income: 40_000, rate: 12, amount: 4000, home: "RENT", age: 50, intent: "MED" },
  { income: 80_000, rate: 14, amount: 40000, home: "RENT", age: 35, intent: "EDU" },
  { income: 160_000, rate: 16, amount: 8000, home: "MORTGAGE", age: 45, intent: "MED" },
];

function column(pre: Preprocessor, name: string): number {
  const i = pre.columns.findIndex((c) => c.name === name);
  assert(i >= 0, `no column ${name}`);
  return i;
}

Deno.test("preprocess: log + robust scaling from training rows, median imputation with a missing indicator", () => {
  const pre = fitPreprocessor(SPEC, TRAIN);
  const income = column(pre, "income");
  const row = pre.transform([{ income: 40_000 }]).data;
  assertAlmostEquals(row[income], 0, 1e-6); // the median income scales to 0
  const high = pre.transform([{ income: 160_000 }]).data[income];
  // IQR of log1p(income) over the training rows is log(80001/20001) ~ 1.386; 160k is 2 * log(2) above the median
  assertAlmostEquals(
    high,
    (Math.log1p(160_000) - Math.log1p(40_000)) / (Math.log1p(80_000) - Math.log1p(20_000)),
    1e-5,
  );
  // rate had a missing value in training: an indicator column follows, and null is imputed with the median (13)
  const rate = column(pre, "rate");
  const missing = column(pre, "rate__missing");
  const imputed = pre.transform([{ rate: null }]).data;
  assertEquals([imputed[rate], imputed[missing]], [0, 1]);
  const present = pre.transform([{ rate: 13 }]).data;
  assertEquals([present[rate], present[missing]], [0, 0]);
  // income had none: no indicator
  assert(!pre.columns.some((c) => c.name === "income__missing"));
});

Deno.test("preprocess: statistics come from the fitting rows only (transforming other rows changes nothing)", () => {
  const pre = fitPreprocessor(SPEC, TRAIN);
  const before = JSON.stringify(pre.toJSON());
  pre.transform([{ income: 1e9, rate: 99, home: "CASTLE" }]);
  assertEquals(JSON.stringify(pre.toJSON()), before);
  const other = fitPreprocessor(SPEC, [...TRAIN, {
    income: 1e9,
    rate: 99,
    amount: 1,
    home: "CASTLE",
    age: 99,
    intent: "X",
  }]);
  assert(JSON.stringify(other.toJSON()) !== before);
});

Deno.test("preprocess: one-hot with an explicit unknown bucket for unseen, rare and missing levels", () => {
  const pre = fitPreprocessor(SPEC, TRAIN);
  assertEquals(pre.groups.get("home")!.map((i) => pre.columns[i].name), [
    "home=MORTGAGE",
    "home=OWN",
    "home=RENT",
    `home=${UNKNOWN}`,
  ]);
  const unknown = column(pre, `home=${UNKNOWN}`);
  for (const home of ["CASTLE", null, undefined, ""]) {
    const x = pre.transform([{ home }]).data;
    assertEquals(pre.groups.get("home")!.map((i) => x[i]), [0, 0, 0, 1], `home=${home}`);
    assertEquals(x[unknown], 1);
  }
  const rent = pre.transform([{ home: " RENT " }]).data;
  assertEquals(rent[column(pre, "home=RENT")], 1);
  const rare = fitPreprocessor({
    label: "y",
    features: [{ kind: "categorical", name: "home", minCount: 2, description: "" }],
  }, TRAIN);
  assertEquals(rare.state.home, { levels: ["RENT"] });
  // buckets and crosses
  const x = pre.transform([{ age: 40, home: "OWN", intent: "EDU" }]).data;
  assertEquals(x[column(pre, "age_band=>=40")], 1);
  assertEquals(x[column(pre, "home_x_intent=OWN|EDU")], 1);
});

Deno.test("preprocess: ratios and products from raw values; a zero or missing denominator is missing", () => {
  const pre = fitPreprocessor(SPEC, TRAIN);
  assertEquals(pre.rawValue("lti", { amount: 5000, income: 20_000 }), 0.25);
  assertEquals(pre.rawValue("burden", { amount: 5000, income: 20_000, rate: 12 }), 3);
  assertEquals(pre.rawValue("lti", { amount: 5000, income: 0 }), null);
  assertEquals(pre.rawValue("lti", { amount: 5000 }), null);
  assertEquals(pre.rawValue("home", { home: "OWN" }), "OWN");
  assertEquals(pre.describe("lti"), "loan amount relative to income");
});

Deno.test("preprocess: JSON round trip encodes identically; spec errors name the feature", () => {
  const pre = fitPreprocessor({
    ...SPEC,
    features: SPEC.features.map((f) => f.kind === "numeric" ? { ...f, bins: 3 } : f),
  }, TRAIN);
  assert(pre.columns.some((c) => c.name === "income__bin1"));
  const again = Preprocessor.fromJSON(JSON.parse(JSON.stringify(pre.toJSON())));
  const rows = [...TRAIN, { income: -5, rate: "x", home: 7 }];
  assertEquals(again.transform(rows).data, pre.transform(rows).data);
  assertEquals(again.baseline({ home: "RENT" }), pre.baseline({ home: "RENT" }));
  assertThrows(() => Preprocessor.fromJSON({ format: "nope" } as never), Error, `"nope"`);
  assertThrows(
    () =>
      fitPreprocessor(
        { label: "y", features: [{ kind: "product", name: "p", factors: ["q"], description: "" }] },
        TRAIN,
      ),
    Error,
    `needs factor "q"`,
  );
  assertThrows(() => fitPreprocessor(SPEC, []), Error, "0 rows");
});

Deno.test("preprocess: out-of-range rows are flagged with reasons naming the value", () => {
  assertEquals(validateRow({ age: 133 }, SPEC.rules!), [
    { column: "age", value: 133, reason: "age is 133; expected between 18 and 100" },
  ]);
  assertEquals(validateRow({ age: 30, emp: 31 }, SPEC.rules!).map((p) => p.reason), [
    "emp is 31; expected at most age (30)",
  ]);
  assertEquals(validateRow({ age: "old" }, SPEC.rules!).map((p) => p.reason), ['age is "old"; not a number']);
  assertEquals(validateRow({ age: 30, emp: 2 }, SPEC.rules!), []);
  assertEquals(validateRow({ age: null }, SPEC.rules!), []);
  assertEquals(toNumber(12n), 12);
  assertEquals(inputColumns(SPEC).sort(), ["age", "amount", "emp", "home", "income", "intent", "rate"]);
});
