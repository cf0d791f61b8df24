import { assert, assertEquals } from "@std/assert";
import { storedFeaturesOf } from "../repo/request.ts";
import { creditFeatureSpec, creditTrainingSource, validateApplication } from "./model_spec.ts";
import { createGenerator } from "./generate.ts";
import { readTable, writeBatches } from "../io/mod.ts";
import { FeatureStore } from "../feature_store/feature_store.ts";
import { resolveConfig } from "../feature_store/config.ts";
import { fitPreprocessor } from "../model/preprocess.ts";

Deno.test("model spec: impossible applications are flagged with readable reasons", () => {
  assertEquals(
    validateApplication({ person_age: 133, person_income: -1, loan_amnt: -5, loan_int_rate: 120 }).map((p) => p.reason),
    [
      "age is 133; expected between 18 and 100",
      "income is -1; expected at least 0",
      "loan amount is -5; expected at least 0",
      "interest rate is 120; expected between 0 and 100",
    ],
  );
  assertEquals(validateApplication({ person_age: 22, person_emp_length: 123 }).map((p) => p.column), [
    "person_emp_length",
  ]);
  assertEquals(
    validateApplication({ person_age: 22, person_income: 59000, person_emp_length: 3, loan_int_rate: 16 }),
    [],
  );
});

Deno.test("model spec: credit history and zipcode features are opt-in per data source; every feature is described", () => {
  const names = (o: Parameters<typeof creditFeatureSpec>[0]) => creditFeatureSpec(o).features.map((f) => f.name);
  assert(names({}).includes("debt_to_income"));
  assert(!names({ creditHistory: false }).includes("missed_payments_6m"));
  assert(!names({}).includes("state"));
  assert(names({ zipcode: true }).includes("state"));
  assert(!names({ zipcode: true }).includes("city"));
  for (const f of creditFeatureSpec({ zipcode: true }).features) assert(f.description.length > 3, f.name);
  const debt = creditFeatureSpec({}).features.find((f) => f.name === "debt_to_income")!;
  assertEquals(debt.description, "total debt relative to income");
  assertEquals(creditTrainingSource("generated", { dataDir: "s3://b/x/" }).entities, "s3://b/x/loan_table.parquet");
});

Deno.test("model spec: an applicant's stored features, point-in-time at the scoring time", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const gen = createGenerator({ seed: 5, loans: 300 });
    await writeBatches(`${dir}/zipcode_table.parquet`, gen.zipcodeBatches());
    await writeBatches(`${dir}/loan_table.parquet`, gen.loanBatches());
    await writeBatches(`${dir}/credit_history.parquet`, gen.creditHistoryBatches());
    const source = creditTrainingSource("generated", { dataDir: dir });
    const store = await FeatureStore.open({ config: resolveConfig({}), repo: source.repo });
    const loan = (await readTable(`${dir}/loan_table.parquet`)).get(0)!.toJSON();
    const at = new Date(Number(loan.event_timestamp));
    // the one-row point-in-time join deno task predict does (tasks/predict.ts storedFeaturesOf)
    const row = await storedFeaturesOf(store, {
      request: { dob_ssn: loan.dob_ssn, zipcode: Number(loan.zipcode) },
      keys: ["dob_ssn", "zipcode"],
      refs: source.features,
      at,
    });
    const expected = await store.getHistoricalFeatures({
      entities: (await readTable(`${dir}/loan_table.parquet`)).slice(0, 1),
      features: source.features,
    });
    const want = expected.get(0)!.toJSON();
    for (const f of source.features.map((r) => r.split(":")[1])) {
      assertEquals(row[f], typeof want[f] === "bigint" ? Number(want[f]) : want[f], f);
    }
    await store.close();
    // the joined row plus the application encodes without errors
    const pre = fitPreprocessor(source.spec, [{ ...row, ...loan }]);
    assertEquals(pre.transform([{ ...row, ...loan }]).rows, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
