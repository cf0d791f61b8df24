import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import * as arrow from "apache-arrow";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { timestampVector, writeTable } from "../io/mod.ts";
import { initRepo } from "../repo/init.ts";
import { jupyterStatus } from "./run.ts";
import type { NotebookSettings } from "./settings.ts";
import {
  edaChecksOf,
  histogramOptionsFor,
  notebookTrainingSet,
  repoEdaPlan,
  repoMonitoringScenario,
  repoNotebookData,
  repoWorkDir,
} from "./repo_data.ts";
import { main } from "../../tasks/notebooks.ts";
import { seededRandom } from "../numeric/random.ts";

const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** Column names of the credit tutorial: none may show in a report of another domain's repo. */
const CREDIT_COLUMNS = [
  "dob_ssn",
  "zipcode",
  "loan_status",
  "loan_amnt",
  "loan_int_rate",
  "loan_intent",
  "person_income",
  "person_age",
  "person_home_ownership",
  "person_emp_length",
  "credit_history",
  "credit_card_due",
  "missed_payments",
];

const DAY = 86_400_000;

/**
 * Writes generated insurance claims (another domain than credit) into `dir`: `claims.csv` (the entity rows, label
 * `fraud` with signal from the claim and the policy's snapshot) and `policies.parquet` (several snapshots per policy),
 * then a repo folder written by `initRepo` in `dir/repo`.
 */
export async function writeClaimsRepo(dir: string, opts: { claims?: number; policies?: number; seed?: number } = {}) {
  const rand = seededRandom(opts.seed ?? 7);
  const nPolicies = opts.policies ?? 300;
  const nClaims = opts.claims ?? 2000;
  const start = Date.UTC(2023, 0, 1);
  // policy snapshots every 120 days from mid-2022: prior claims and premium change over time
  const snapshots: { id: number; at: number; prior: number; premium: number; tenure: number }[] = [];
  const risk: number[] = [];
  for (let p = 0; p < nPolicies; p++) {
    risk.push(rand());
    let prior = Math.floor(rand() * 3);
    const premium = 400 + 1200 * rand();
    for (let k = 0; k < 5; k++) {
      if (rand() < 0.3 + 0.4 * risk[p]) prior++;
      snapshots.push({
        id: 1000 + p,
        at: Date.UTC(2022, 5, 1) + k * 120 * DAY + Math.floor(rand() * 10) * DAY,
        prior,
        premium: Math.round(premium * (1 + 0.05 * k) * 100) / 100,
        tenure: k * 0.33 + 2 * rand(),
      });
    }
  }
  await writeTable(
    join(dir, "policies.parquet"),
    new arrow.Table({
      policy_id: arrow.makeVector(BigInt64Array.from(snapshots.map((s) => BigInt(s.id)))),
      prior_claims: arrow.makeVector(Float64Array.from(snapshots.map((s) => s.prior))),
      annual_premium: arrow.makeVector(Float64Array.from(snapshots.map((s) => s.premium))),
      tenure_years: arrow.makeVector(Float64Array.from(snapshots.map((s) => s.tenure))),
      event_timestamp: timestampVector(BigInt64Array.from(snapshots.map((s) => BigInt(s.at) * 1000n))),
    }),
  );
  const regions = ["NORTH", "SOUTH", "EAST", "WEST"];
  const regionLogit = [0, 0.6, -0.3, 0.2];
  const lines = ["claim_id,policy_id,region,vehicle_years,claim_amount,fraud,event_timestamp"];
  let frauds = 0;
  for (let i = 0; i < nClaims; i++) {
    const p = Math.floor(rand() * nPolicies);
    const at = start + Math.floor(rand() * 365 * DAY);
    const snap = snapshots.filter((s) => s.id === 1000 + p && s.at <= at).at(-1);
    const r = Math.floor(rand() * regions.length);
    const years = Math.floor(rand() * 15);
    const amount = Math.round(Math.exp(7 + 1.2 * rand() + 0.8 * risk[p]) * 100) / 100;
    const logit = -3.6 + 0.9 * (snap?.prior ?? 0) / 2 + 0.0004 * (amount - 2000) + regionLogit[r] + 2 * risk[p] -
      0.05 * years;
    const fraud = rand() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    frauds += fraud;
    lines.push(
      `${50_000 + i},${1000 + p},${regions[r]},${years},${amount},${fraud},${new Date(at).toISOString()}`,
    );
  }
  await Deno.writeTextFile(join(dir, "claims.csv"), lines.join("\n") + "\n");
  const repo = join(dir, "repo");
  await initRepo({
    dir: repo,
    from: join(dir, "claims.csv"),
    label: "fraud",
    timestamp: "event_timestamp",
    id: "policy_id",
    sources: [join(dir, "policies.parquet")],
  });
  return { repo, fraudRate: frauds / nClaims };
}

function settings(workDir: string, repo: string | null): NotebookSettings {
  return { root, data: "auto", rows: 3000, seed: 42, dataDir: null, workDir, repo };
}

Deno.test("repo notebook data: the repo's spec, stores of the notebooks' own, a generic EDA plan and scenario", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "claims_nb_" });
  try {
    const { repo, fraudRate } = await writeClaimsRepo(tmp, { claims: 600, policies: 80 });
    assert(fraudRate > 0.05 && fraudRate < 0.6, `fraud rate ${fraudRate}`);
    const work = join(tmp, "work");
    const data = await repoNotebookData(settings(work, repo));
    assertEquals(data.kind, "repo");
    assertEquals(data.source.spec.label, "fraud");
    assertEquals(data.model.name, "repo_model");
    assertEquals(data.modelStore, join(repoWorkDir({ workDir: work }, repo), "models"));
    assert(!data.modelStore.startsWith(repo), "never the repo's own model store");
    assertEquals(data.wording.rate, "fraud rate");

    const plan = await repoEdaPlan(data);
    assertEquals(plan.entity.label, "fraud");
    assertEquals(plan.entity.segments.map(([, o]) => o.segment), ["region", "vehicle_years", "claim_amount"]);
    assertEquals(plan.sources.map((s) => s.name), ["policies"]);
    assertEquals(plan.sources[0].keyColumns, ["policy_id"]);
    assertEquals(plan.sources[0].histograms.map((h) => h.column), ["prior_claims", "annual_premium", "tenure_years"]);
    assertEquals(plan.joinedSegments.map(([, o]) => o.segment), ["prior_claims", "annual_premium", "tenure_years"]);
    const text = JSON.stringify(plan);
    for (const c of CREDIT_COLUMNS) assert(!text.includes(c), `plan names "${c}"`);
    // the EDA's range checks are the repo's declared ranges (initRepo wrote min/max for each number)
    const checks = await edaChecksOf(data);
    assertEquals(checks.rules.map((r) => r.column).sort(), ["claim_amount", "vehicle_years"]);
    assert(checks.rules.every((r) => r.min === 0 && r.max! > 0), JSON.stringify(checks.rules));
    assertStringIncludes(checks.rulesFrom, "the model spec of");
    for (const c of CREDIT_COLUMNS) assert(!JSON.stringify(checks).includes(c), `checks name "${c}"`);

    const training = await notebookTrainingSet(data);
    assertEquals(training.numRows, 600);
    assert(training.getChild("prior_claims"), "the join adds the policy snapshot's features");

    const scenario = await repoMonitoringScenario(settings(work, repo), data);
    assertEquals(scenario.rows, { base: 480, recent: 120 });
    assert(existsSync(scenario.applications));
    assertEquals(scenario.base.modelStore, join(scenario.dir, "models"));
    assertEquals(scenario.opened.config.model_store, scenario.base.modelStore);
    assert(scenario.retraining.holdoutDays >= 1 && scenario.retraining.trainDays > scenario.retraining.holdoutDays);
    assertStringIncludes(scenario.description, "480 older applications");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("histogramOptionsFor: few whole values get a bin each, long tails a log scale", () => {
  const t = new arrow.Table({
    small: arrow.makeVector(Float64Array.from({ length: 100 }, (_, i) => i % 4)),
    tail: arrow.makeVector(Float64Array.from({ length: 100 }, (_, i) => (i === 99 ? 1e6 : 1 + i / 10))),
    plain: arrow.makeVector(Float64Array.from({ length: 100 }, (_, i) => i + 0.5)),
  });
  assertEquals(histogramOptionsFor(t, "small"), { bins: 4 });
  assertEquals(histogramOptionsFor(t, "tail"), { bins: 30, log: true });
  assertEquals(histogramOptionsFor(t, "plain"), { bins: 30, upperQuantile: 0.99 });
});

Deno.test("repoNotebookData without a repo says how to give one", async () => {
  await assertRejects(() => repoNotebookData(settings("/tmp/x", null)), Error, `set "NOTEBOOK_REPO"`);
});

const jupyter = await jupyterStatus();
if (!jupyter.available) {
  if (Deno.env.get("CI") === "true") throw new Error(`CI needs Jupyter for the notebook tests: ${jupyter.reason}`);
  console.warn(`%cSKIPPING the Jupyter run of lib/notebook/repo_data_test.ts: ${jupyter.reason}`, "color: red");
}

Deno.test({
  name: "deno task notebooks --repo DIR (real Jupyter): the three notebooks on an insurance-claims repo",
  ignore: !jupyter.available,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "claims_nb_" });
    try {
      assert(!tmp.startsWith(root), "the repo lives outside the project");
      const { repo } = await writeClaimsRepo(tmp);
      const out = join(tmp, "reports");
      const lines: string[] = [];
      const outcomes = await main(
        ["--repo", repo, "--out", out, "--work-dir", join(tmp, "work"), "--dir", `${root}/notebooks`],
        (l) => lines.push(l),
      );
      assertEquals(outcomes.map((o) => o.ok), [true, true, true], lines.join("\n"));
      assertStringIncludes(lines.join("\n"), `NOTEBOOK_REPO=${repo}`);
      for (const name of ["eda", "modeling", "monitoring"]) {
        const html = await Deno.readTextFile(join(out, `${name}.html`));
        const words = ["fraud", "claim_amount", name === "monitoring" ? "claims.csv" : repo];
        for (const word of words) assertStringIncludes(html, word, `${name}.html lacks "${word}"`);
        for (const c of CREDIT_COLUMNS) assert(!html.includes(c), `${name}.html names the credit column "${c}"`);
      }
      const eda = await Deno.readTextFile(join(out, "eda.html"));
      const edaWords = ["claim_amount", "region", "policies", "prior_claims", "fraud rate by region"];
      // danfojs tables, the repo's declared ranges checked, features over time
      edaWords.push("df.describe()", `df.groupby(["region"])`, "values outside the declared ranges");
      edaWords.push("mean per month", "mix per month", "Month (UTC)");
      for (const word of edaWords) {
        assertStringIncludes(eda, word);
      }
      assertStringIncludes(await Deno.readTextFile(join(out, "monitoring.html")), "Decision: ");
      assert(!existsSync(join(repo, "models")), "the notebooks never write the repo's own model store");
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test("deno task notebooks --repo refuses the credit tutorial's data flags and a repo that does not open", async () => {
  await assertRejects(() => main(["--repo", "/tmp/x", "--rows", "500"], () => {}), Error, `"--rows" choose`);
  await assertRejects(() => main(["--repo", "/nonexistent/claims"], () => {}), Error, "does not exist");
});
