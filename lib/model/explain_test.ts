import { assert, assertEquals, assertGreater, assertLess } from "@std/assert";
import { initBackend } from "./tfjs_backend.ts";
import { buildNetwork, fitNetwork } from "./tfjs_model.ts";
import { seededRandom } from "./seeded_random.ts";
import { type FeatureSpec, fitPreprocessor, type RawRow } from "./preprocess.ts";
import { ModelScorer } from "./scorer.ts";
import { formatReason, groupImpacts } from "./explain.ts";

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
    assert(formatReason(d.reasons[0]).startsWith("missed payments in the last 6 months (5): log-odds +"));
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
