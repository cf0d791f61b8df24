import { assert, assertAlmostEquals, assertEquals, assertGreater } from "@std/assert";
import { loadModel } from "../model/train.ts";
import { inputColumns, type RawRow } from "../model/preprocess.ts";
import { FeatureStore } from "../feature_store/feature_store.ts";
import { readTable } from "../io/mod.ts";
import { readScoredRuns } from "../scoring/reader.ts";
import { creditModelFixture } from "../testing/credit_model_fixture.ts";
import { seededRandom } from "../numeric/random.ts";
import { isDobSsn } from "./application.ts";
import { dobSsnBytes } from "./dob_ssn.ts";
import { creditInputSchema } from "./features.ts";
import { scoreRepoRows } from "../scoring/score_repo.ts";
import { openRepo } from "../repo/load.ts";
import { creditTrainingSource } from "./model_spec.ts";

Deno.test("dob_ssn checked on bytes exactly as isDobSsn checks the string", () => {
  const enc = new TextEncoder();
  const r = seededRandom(3);
  const cases = [
    "19530219_5179",
    "20000229_0001",
    "19000229_0001",
    "20240229_1234",
    "20230229_1234",
    "19991231_9999",
    "00990101_0000",
    "01000101_0000",
    "19531319_5179",
    "19530232_5179",
    "1953021_95179",
    "19530219-5179",
    "19530219_517",
    "1953021a_5179",
    "19530219_5179 ",
    "",
  ];
  for (let i = 0; i < 3000; i++) {
    const d = (n: number, w: number) => String(Math.floor(r() * n)).padStart(w, "0");
    cases.push(`${d(2100, 4)}${d(14, 2)}${d(33, 2)}_${d(10_000, 4)}`);
  }
  let valid = 0;
  for (const c of cases) {
    const b = enc.encode(`xx${c}yy`);
    assertEquals(dobSsnBytes(b, 2, 2 + enc.encode(c).length), isDobSsn(c), c);
    if (isDobSsn(c)) valid++;
  }
  assertGreater(valid, 1000, "both outcomes are exercised");
});

Deno.test("credit input schema: the application's fields, two of them nullable, ids for the output", () => {
  const s = creditInputSchema();
  assertEquals(s.idColumns, ["loan_id", "dob_ssn", "zipcode", "event_timestamp"]);
  const by = new Map(s.columns.map((c) => [c.name, c]));
  assertEquals(by.get("person_age")!.kind, "integer");
  assertEquals(by.get("loan_intent")!.values!.includes("EDUCATION"), true);
  assertEquals(by.get("loan_intent")!.normalize!(" education "), "EDUCATION");
  assertEquals([...by.values()].filter((c) => c.nullable).map((c) => c.name), [
    "loan_id",
    "person_emp_length",
    "loan_int_rate",
  ]);
  assertEquals(
    by.get("dob_ssn")!.check!("1953"),
    `column "dob_ssn" is "1953"; expected YYYYMMDD_NNNN (date of birth, last four SSN digits)`,
  );
});

/** The application and feature columns of an output row, as decide takes them. */
function rowOf(
  table: Awaited<ReturnType<typeof readScoredRuns>>["table"],
  i: number,
  columns: readonly string[],
): RawRow {
  const row: RawRow = {};
  for (const c of columns) {
    const v = table.getChild(c)!.get(i);
    row[c] = typeof v === "bigint" ? Number(v) : v;
  }
  return row;
}

Deno.test("scoreApplications: every scored row is ModelScorer.decide's answer for that row, with point-in-time features; online features too", async () => {
  const fx = await creditModelFixture({ materialize: true });
  const out = await Deno.makeTempDir();
  const scorer = await loadModel({ name: "credit_default", root: fx.config.model_store, alias: "champion" });
  try {
    const { manifest } = await scoreRepoRows({
      repo: await openRepo({ dir: null, config: fx.config }),
      input: [fx.loans],
      output: out,
      quarantine: true,
      workers: 2,
      job: "offline",
      reasons: "all", // every row against decide's reasons (the default gives them to rejections only)
    });
    assertEquals(manifest.features.mode, "offline");
    assertEquals(manifest.model, { name: "credit_default", version: 1, threshold: scorer.threshold.threshold });
    const { table } = await readScoredRuns(out, { jobs: ["offline"] });
    assertEquals(table.numRows, manifest.counts.scored);
    const inputs = inputColumns(scorer.preprocessor.spec);
    let withReasons = 0;
    for (let i = 0; i < table.numRows; i += 7) {
      const d = scorer.decide(rowOf(table, i, inputs), { onInvalid: "mark" });
      assertAlmostEquals(table.getChild("probability")!.get(i), d.probability, 1e-5, `row ${i}`);
      assertEquals(table.getChild("decision")!.get(i), d.decision, `row ${i}`);
      const got = [1, 2, 3].map((k) => table.getChild(`reason_${k}`)!.get(i)).filter((x) => x !== null);
      const gotImpacts = [1, 2, 3].map((k) => table.getChild(`reason_${k}_impact`)!.get(i)).slice(0, got.length);
      assertEquals(got.length, d.reasons.length, `row ${i}`);
      d.reasons.forEach((r, k) => {
        assertAlmostEquals(gotImpacts[k], r.impact, 1e-4, `row ${i} reason ${k}`);
        if (got[k] !== r.feature) {
          assertAlmostEquals(
            r.impact,
            d.reasons.find((x) => x.feature === got[k])!.impact,
            1e-4,
          );
        }
      });
      if (got.length) withReasons++;
    }
    assertGreater(withReasons, 100);
    // the features are the point-in-time join's, at each application's own time
    const source = creditTrainingSource("generated", { dataDir: fx.config.data_dir });
    const store = await FeatureStore.open({ config: fx.config, repo: source.repo });
    try {
      const pit = await store.getHistoricalFeatures({ entities: fx.loans, features: source.features });
      const byLoan = new Map<number, number>();
      for (let i = 0; i < pit.numRows; i++) byLoan.set(Number(pit.getChild("loan_id")!.get(i)), i);
      let compared = 0;
      for (let i = 0; i < table.numRows; i += 11) {
        const j = byLoan.get(Number(table.getChild("loan_id")!.get(i)))!;
        for (const f of ["missed_payments_6m", "credit_card_due", "bankruptcies"]) {
          const want = pit.getChild(f)!.get(j);
          assertEquals(table.getChild(f)!.get(i), want === null ? null : Number(want), `loan row ${j} ${f}`);
        }
        compared++;
      }
      assertGreater(compared, 100);

      // online: the latest materialized values, as of the replay time
      const asOf = new Date("2021-09-01T00:00:00Z");
      const online = await scoreRepoRows({
        repo: await openRepo({ dir: null, config: fx.config }),
        input: [fx.loans],
        output: out,
        quarantine: true,
        features: "online",
        asOf,
        workers: 0,
        job: "online",
      });
      assertEquals(online.manifest.features.mode, "online");
      const scored = (await readScoredRuns(out, { jobs: ["online"] })).table;
      // the latest applications: their people's snapshots are the likeliest to be within the 90-day ttl
      const times = scored.getChild("event_timestamp")!;
      const sample = Array.from({ length: scored.numRows }, (_, i) => i)
        .sort((a, b) => times.get(b) - times.get(a)).slice(0, 60);
      const answer = await store.getOnlineFeatures({
        features: ["credit_history:missed_payments_2y", "credit_history:mortgage_due"],
        entityRows: sample.map((i) => ({ dob_ssn: scored.getChild("dob_ssn")!.get(i) })),
        asOf,
      });
      let present = 0;
      for (const column of answer.results.filter((c) => c.view)) {
        sample.forEach((i, k) => {
          const v = column.statuses[k] === "PRESENT" ? Number(column.values[k]) : null;
          if (v !== null) present++;
          assertEquals(scored.getChild(column.name)!.get(i), v, `${column.name} row ${i}`);
        });
      }
      assertGreater(present, 20);
    } finally {
      await store.close();
    }
    const loans = await readTable(fx.loans, { columns: ["loan_id"] });
    assert(manifest.counts.input_rows === loans.numRows);
  } finally {
    scorer.dispose();
    await Deno.remove(out, { recursive: true });
  }
});
