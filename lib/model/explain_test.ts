import { assert, assertAlmostEquals, assertEquals, assertGreater, assertLess } from "@std/assert";
import { initBackend } from "./tfjs_backend.ts";
import { buildNetwork, fitNetwork } from "./tfjs_model.ts";
import { seededRandom } from "../numeric/random.ts";
import { type FeatureSpec, fitPreprocessor, type RawRow } from "./preprocess.ts";
import { meanLogits, ModelScorer as ModelScorer } from "./scorer.ts";
import {
  formatReason,
  formatValue,
  groupImpacts,
  MIN_REASON_IMPACT,
  readableNumber,
  reasonUnits,
  wantsReasons,
} from "./explain.ts";
import { OnlineDecider } from "./online_decider.ts";
import { BatchScorer } from "./batch_scorer.ts";
import { smallCreditRows, smallModelScorer } from "../testing/small_credit_model.ts";

const SPEC: FeatureSpec = {
  label: "y",
  features: [
    { kind: "numeric", name: "missed_payments_6m", description: "missed payments in the last 6 months" },
    { kind: "numeric", name: "income", log: true, description: "annual income" },
    { kind: "numeric", name: "noise", description: "a column without signal" },
    { kind: "categorical", name: "home", description: "home ownership" },
  ],
  rules: [],
};

function rows(n: number, seed: number): RawRow[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const missed = Math.floor(r() * 6);
    const income = 20_000 + r() * 100_000;
    const home = r() < 0.5 ? "RENT" : "OWN";
    const z = 1.2 * missed - 3 * Math.log(income / 50_000) + (home === "RENT" ? 0.5 : 0) - 3 + (r() - 0.5);
    return { missed_payments_6m: missed, income, noise: r(), home, y: z > 0 ? 1 : 0 };
  });
}

async function scorer(): Promise<ModelScorer> {
  await initBackend();
  const train = rows(2000, 1);
  const val = rows(600, 2);
  const pre = fitPreprocessor(SPEC, train);
  const ds = (rs: RawRow[]) => {
    const m = pre.transform(rs);
    return { x: m.data, y: Float32Array.from(rs, (r) => r.y as number), rows: m.rows, cols: m.cols };
  };
  const net = buildNetwork({ type: "mlp", inputs: pre.width, seed: 5, hidden: [16, 8] });
  await fitNetwork(net, { train: ds(train), validation: ds(val), seed: 5, epochs: 25, learningRate: 0.01 });
  const meta = {
    format: "credit-model/1" as const,
    modelType: "mlp" as const,
    members: 1,
    calibration: { a: 1, b: 0 },
    baselineModes: pre.modes(train),
    label: "y",
    backend: "wasm",
    seed: 5,
    trainedAt: "",
  };
  const threshold = {
    threshold: 0.5,
    policy: { kind: "target_recall" as const, targetRecall: 0.9 },
    achieved: { recall: 1, precision: 1, approvalRate: 0.5, n: 1 },
  };
  return new ModelScorer(meta, pre, [net], threshold);
}

Deno.test("explain: the top reason is the risky feature, and moving it toward the baseline lowers the score", async () => {
  const s = await scorer();
  try {
    // a well-paid owner with many missed payments: the missed payments are what raises the risk
    const applicant = { missed_payments_6m: 5, income: 70_000, noise: 0.5, home: "OWN" };
    const d = s.decide(applicant, { top: 3 });
    assertEquals(d.reasons[0].feature, "missed_payments_6m");
    assertEquals(d.reasons[0].text, "missed payments in the last 6 months");
    assertEquals(d.reasons[0].value, 5);
    assert(d.reasons.every((r, i) => i === 0 || r.impact <= d.reasons[i - 1].impact));
    assert(d.reasons.every((r) => r.impact > 0 && r.probabilityImpact > 0));
    assert(
      formatReason(d.reasons[0]).startsWith("missed payments in the last 6 months (5): raises the odds of default x"),
    );
    // the baseline applicant has the training median of missed payments; walk the raw value toward it
    const median = s.preprocessor.state.missed_payments_6m as { center: number };
    assertLess(median.center, 4);
    const path = [5, 4.5, 4, (4 + median.center) / 2, median.center].map((m) =>
      s.predict([{ ...applicant, missed_payments_6m: m }])[0]
    );
    for (let i = 1; i < path.length; i++) assertLess(path[i], path[i - 1], `step ${i}: ${path}`);
    // and the reason's impact is exactly the drop in log-odds when its columns take the baseline's values
    const x = s.preprocessor.transform([applicant]).data;
    const { impacts } = groupImpacts(x, s.preprocessor.groups, s.baseline, (m, n) => s.logOddsEncoded(m, n));
    assertEquals(impacts.get("missed_payments_6m"), d.reasons[0].impact);
    // a safe applicant gets few or no reasons, and never the risky feature
    const safe = s.decide({ missed_payments_6m: 0, income: 120_000, noise: 0.5, home: "OWN" });
    assertLess(safe.probability, d.probability);
    assert(!safe.reasons.some((r) => r.feature === "missed_payments_6m"));
    // the noise column matters far less than the signal
    assertGreater(impacts.get("missed_payments_6m")!, 10 * Math.abs(impacts.get("noise")!));
  } finally {
    s.dispose();
  }
});

Deno.test("explain: values with units and impacts as odds, readable at any probability", () => {
  assertEquals(readableNumber(35000), "35,000");
  assertEquals(readableNumber(0.52341), "0.523");
  assertEquals(readableNumber(11.5), "11.5");
  assertEquals(formatValue(35000, "$"), "$35,000");
  assertEquals(formatValue(11.46, "%"), "11.5%");
  assertEquals(formatValue(3, "years"), "3 years");
  assertEquals(formatValue(1, "years"), "1 year");
  assertEquals(formatValue("MEDICAL", "$"), "MEDICAL");
  assertEquals(formatValue(null, "$"), "missing");
  assertEquals(reasonUnits({ request: [{ name: "loan_amnt", unit: "$" }], featureUnits: { emp: "years" } }), {
    loan_amnt: "$",
    emp: "years",
  });
  // near 1 the probability barely moves, yet the odds are multiplied many times over: both are shown
  const saturated = { feature: "missed", text: "missed payments", value: 7, impact: 11.18, probabilityImpact: 0.001 };
  assertEquals(
    formatReason(saturated, { unit: "payments" }),
    "missed payments (7 payments): raises the odds of default x72,000 (+0.1 points)",
  );
  const mid = {
    feature: "loan_amnt",
    text: "loan amount",
    value: 35000,
    impact: Math.log(2.3),
    probabilityImpact: 0.041,
  };
  assertEquals(
    formatReason(mid, { unit: "$" }),
    "loan amount ($35,000): raises the odds of default x2.3 (+4.1 points)",
  );
  assertEquals([wantsReasons("approve"), wantsReasons("reject"), wantsReasons("approve", "all")], [false, true, true]);
  assertEquals(wantsReasons("reject", "none"), false);
});

/**
 * Reasons computed independently of explain.ts, the online decider and the batch scorer: every feature group's
 * encoded columns set to the baseline applicant's by hand, each variant scored through the networks' plain tfjs
 * predict (meanLogits, then the calibration), the drop in log-odds per group, ranked (ties by name), the top 3 of at
 * least MIN_REASON_IMPACT.
 */
function bruteForceReasons(s: ModelScorer, row: RawRow): { feature: string; impact: number }[] {
  const pre = s.preprocessor;
  const x = pre.transform([row]).data;
  const { a, b } = s.meta.calibration;
  const logOdds = (v: Float32Array) => a * meanLogits(s.networks, v, 1)[0] + b;
  const z0 = logOdds(x);
  const out: { feature: string; impact: number }[] = [];
  for (const [name, cols] of pre.groups) {
    const v = Float32Array.from(x);
    for (const c of cols) v[c] = s.baseline[c];
    out.push({ feature: name, impact: z0 - logOdds(v) });
  }
  return out.filter((r) => r.impact >= MIN_REASON_IMPACT)
    .sort((p, q) => q.impact - p.impact || (p.feature < q.feature ? -1 : 1))
    .slice(0, 3);
}

Deno.test("explain: decide, the online decider and the batch scorer give the brute-force reasons; batch gives them to rejections only by default", async () => {
  await initBackend();
  const s = await smallModelScorer({ hidden: [16, 8], members: 2 });
  try {
    const rs = smallCreditRows(120, 21);
    const online = (await OnlineDecider.fromScorer(s))!;
    const batch = await BatchScorer.fromScorer(s);
    const columns = {
      rows: rs.length,
      numbers: Object.fromEntries(
        ["age", "emp", "missed", "amount", "debt_a", "debt_b", "rate"].map((c) => [
          c,
          Float64Array.from(rs, (r) => (r[c] === null || r[c] === undefined ? NaN : Number(r[c]))),
        ]),
      ),
      texts: Object.fromEntries(["home", "intent", "income"].map((c) => {
        const values: string[] = [];
        const codes = Int32Array.from(rs, (r) => {
          if (r[c] === null || r[c] === undefined) return -1;
          const k = values.indexOf(String(r[c]));
          return k >= 0 ? k : values.push(String(r[c])) - 1;
        });
        return [c, { codes, values }];
      })),
    };
    const scores = batch.score(columns);
    let rejected = 0, approved = 0;
    for (let i = 0; i < rs.length; i++) {
      const want = bruteForceReasons(s, rs[i]);
      const scale = Math.max(1, Math.abs(Math.log(scores.probability[i] / (1 - scores.probability[i]))));
      const tol = 1e-5 * scale;
      const check = (label: string, got: { feature: string; impact: number }[]) => {
        assertEquals(got.length, want.length, `${label} row ${i}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
        for (let k = 0; k < want.length; k++) {
          assertAlmostEquals(got[k].impact, want[k].impact, tol, `${label} row ${i} reason ${k}`);
          // the order may differ only between reasons that tie to float32 precision
          if (got[k].feature !== want[k].feature) {
            const other = want.find((r) => r.feature === got[k].feature);
            assert(other && Math.abs(other.impact - want[k].impact) < tol, `${label} row ${i} reason ${k}`);
          }
        }
      };
      const d = s.decide(rs[i], { onInvalid: "mark" });
      check("decide", d.reasons);
      check("online", online.decide(rs[i], { onInvalid: "mark" }).reasons);
      const got = [0, 1, 2].map((k) => ({
        feature: batch.groups[scores.reasonGroups[i * 3 + k]],
        impact: scores.reasonImpacts[i * 3 + k],
      })).filter((r) => r.feature !== undefined);
      if (scores.reject[i]) {
        rejected++;
        check("batch", got);
      } else {
        approved++;
        assertEquals(got, [], `batch row ${i}: an approval gets no reasons by default`);
      }
    }
    assertGreater(rejected, 5);
    assertGreater(approved, 5);
  } finally {
    s.dispose();
  }
});
