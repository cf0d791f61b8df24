import type * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertGreater, assertThrows } from "@std/assert";
import { initBackend } from "./tfjs_backend.ts";
import { buildNetwork, fitNetwork, seededRandom } from "./tfjs_model.ts";
import { type FeatureSpec, fitPreprocessor, type RawRow } from "./preprocess.ts";
import { CreditScorer, type DecisionResult, InvalidApplicationError } from "./train.ts";
import { OnlineDecider } from "./online_decider.ts";

await initBackend();

/** Every feature kind the preprocessor has, and a range rule. */
const SPEC: FeatureSpec = {
  label: "y",
  features: [
    { kind: "numeric", name: "age", description: "age" },
    { kind: "bucket", name: "age_band", column: "age", edges: [25, 35, 50], description: "age band" },
    { kind: "numeric", name: "income", log: true, bins: 4, description: "income" },
    { kind: "numeric", name: "emp", clip: 3, impute: 0, description: "employment years" },
    { kind: "numeric", name: "missed", description: "missed payments" },
    { kind: "ratio", name: "lti", numerator: ["amount"], denominator: "income", description: "loan to income" },
    { kind: "numeric", name: "rate", description: "interest rate" },
    { kind: "product", name: "rate_x_lti", factors: ["rate", "lti"], description: "interest to income" },
    { kind: "categorical", name: "home", description: "home ownership" },
    { kind: "categorical", name: "intent", minCount: 30, description: "intent" },
    { kind: "cross", name: "intent_x_home", columns: ["intent", "home"], minCount: 25, description: "cross" },
  ],
  rules: [{ column: "age", min: 18, max: 100, label: "age" }],
};

function rows(n: number, seed: number): RawRow[] {
  const r = seededRandom(seed);
  const homes = ["RENT", "OWN", "MORTGAGE", "OTHER"];
  const intents = ["EDUCATION", "MEDICAL", "VENTURE", "PERSONAL", "RARE"];
  return Array.from({ length: n }, () => {
    const age = 20 + Math.floor(r() * 50);
    const income = r() < 0.05 ? null : 15_000 + r() * 120_000;
    const amount = 1000 + r() * 30_000;
    const missed = r() < 0.6 ? 0 : Math.floor(r() * 5);
    const rate = r() < 0.08 ? null : 5 + r() * 15;
    const home = r() < 0.03 ? null : homes[Math.floor(r() * r() * 4)];
    const intent = intents[Math.floor(r() * 4.05)];
    const z = 0.8 * missed + 3 * (amount / (income ?? 50_000)) + (home === "RENT" ? 0.6 : 0) + ((rate ?? 10) - 10) / 4 -
      2 + (r() - 0.5);
    return {
      age,
      income,
      emp: r() < 0.1 ? null : Math.floor(r() * 12),
      missed,
      amount,
      rate,
      home,
      intent,
      y: +(z > 0),
    };
  });
}

/** Applications never seen in training: unknown levels, missing values, extremes. */
const ODD: RawRow[] = [
  { age: 30, home: "CASTLE", intent: "RARE" },
  { age: 99, income: 0, emp: 40, missed: 9, amount: 1e6, rate: 30, home: "OWN", intent: "VENTURE" },
  { age: 45, income: 60_000, emp: 5, missed: 0, amount: 5000, rate: 8, home: "MORTGAGE", intent: "EDUCATION" },
];

async function scorerFor(opts: { hidden: number[] | null; members: number; activation?: "relu" | "tanh" }) {
  const train = rows(1500, 1);
  const pre = fitPreprocessor(SPEC, train);
  const ds = (rs: RawRow[]) => {
    const m = pre.transform(rs);
    return { x: m.data, y: Float32Array.from(rs, (r) => r.y as number), rows: m.rows, cols: m.cols };
  };
  const networks: tf.LayersModel[] = [];
  for (let m = 0; m < opts.members; m++) {
    const net = buildNetwork({
      type: opts.hidden ? "mlp" : "logistic",
      inputs: pre.width,
      hidden: opts.hidden ?? [],
      seed: 3 + m,
      activation: opts.activation,
    });
    await fitNetwork(net, {
      train: ds(train),
      validation: ds(rows(300, 2)),
      seed: 3 + m,
      epochs: 6,
      learningRate: 0.01,
    });
    networks.push(net);
  }
  const meta = {
    format: "credit-model/1" as const,
    modelType: opts.hidden ? "mlp" as const : "logistic" as const,
    members: opts.members,
    calibration: { a: 0.9, b: -0.2 },
    baselineModes: pre.modes(train),
    label: "y",
    backend: "wasm",
    seed: 3,
    trainedAt: "",
  };
  const threshold = {
    threshold: 0.35,
    policy: { kind: "target_recall" as const, targetRecall: 0.9 },
    achieved: { recall: 1, precision: 1, approvalRate: 0.5, n: 1 },
  };
  return new CreditScorer(meta, pre, networks, threshold, 7);
}

/**
 * The fast answer is the reference's (CreditScorer.decide through tfjs): probability within 1e-6, the same decision,
 * threshold and flags, the same reasons in the same order with their texts and values, probability impacts within
 * 1e-6 and log-odds impacts within 1e-6 of the log-odds' size (float32 precision: the reference sums in float32; two
 * reasons whose impacts tie to that precision may swap).
 */
function assertSameAsDecide(scorer: CreditScorer, fast: OnlineDecider, rs: RawRow[], top = 3) {
  let withReasons = 0;
  for (let i = 0; i < rs.length; i++) {
    const want: DecisionResult = scorer.decide(rs[i], { onInvalid: "mark", top });
    const got: DecisionResult = fast.decide(rs[i], { onInvalid: "mark", top });
    assertAlmostEquals(got.probability, want.probability, 1e-6, `row ${i} probability`);
    assertEquals(got.decision, want.decision, `row ${i} decision`);
    assertEquals(got.threshold, want.threshold);
    assertEquals(got.flags, want.flags, `row ${i} flags`);
    assertEquals(got.reasons.length, want.reasons.length, `row ${i} reason count`);
    if (want.reasons.length) withReasons++;
    for (let k = 0; k < want.reasons.length; k++) {
      const g = got.reasons[k], w = want.reasons[k];
      // log-odds agree to float32 precision: 1e-6 relative to their size (the reference sums in float32)
      const scale = Math.max(1, Math.abs(Math.log(want.probability / (1 - want.probability))));
      assertAlmostEquals(g.impact, w.impact, 1e-6 * scale, `row ${i} reason ${k} impact`);
      assertAlmostEquals(g.probabilityImpact, w.probabilityImpact, 1e-6, `row ${i} reason ${k} probability impact`);
      if (g.feature === w.feature) {
        assertEquals({ ...g, impact: 0, probabilityImpact: 0 }, { ...w, impact: 0, probabilityImpact: 0 });
      } else {
        // a swap is only allowed between reasons that tie at float32 precision
        const other = want.reasons.find((r) => r.feature === g.feature);
        assert(other && Math.abs(other.impact - w.impact) < 1e-5, `row ${i} reason ${k}: ${g.feature} vs ${w.feature}`);
      }
    }
  }
  assertGreater(withReasons, rs.length / 10, "rows with reasons were compared");
}

Deno.test("OnlineDecider gives CreditScorer.decide's probability, decision and reason codes (MLP ensemble of 3; WebAssembly kernel and JavaScript)", async () => {
  const scorer = await scorerFor({ hidden: [16, 8], members: 3 });
  try {
    const rs = [...rows(400, 11), ...ODD];
    for (const simd of [true, false]) {
      const fast = OnlineDecider.fromScorer(scorer, { simd });
      assert(fast, "an ensemble of dense relu networks has the fast path");
      assertEquals(fast.simd, simd);
      assertSameAsDecide(scorer, fast, rs);
      assertSameAsDecide(scorer, fast, rs.slice(0, 50), 5);
      // the buffers are reused between calls: the same application again gives the same answer
      assertEquals(fast.decide(rs[0]), fast.decide(rs[0]));
    }
  } finally {
    scorer.dispose();
  }
});

Deno.test("OnlineDecider: logistic regression, and no fast path for networks that are not dense relu/linear stacks", async () => {
  const logistic = await scorerFor({ hidden: null, members: 2 });
  const tanh = await scorerFor({ hidden: [8], members: 1, activation: "tanh" });
  try {
    const fast = OnlineDecider.fromScorer(logistic);
    assert(fast && !fast.simd, "logistic regression runs in JavaScript (one output unit per member)");
    assertSameAsDecide(logistic, fast, [...rows(200, 12), ...ODD]);
    assertEquals(OnlineDecider.fromScorer(tanh), null);
  } finally {
    logistic.dispose();
    tanh.dispose();
  }
});

Deno.test("OnlineDecider refuses out-of-range applications as decide does, or marks them", async () => {
  const scorer = await scorerFor({ hidden: [8], members: 1 });
  try {
    const fast = OnlineDecider.fromScorer(scorer)!;
    const bad = { ...ODD[2], age: 133 };
    const err = assertThrows(() => fast.decide(bad), InvalidApplicationError);
    assertEquals(err.problems, scorer.validate(bad));
    const marked = fast.decide(bad, { onInvalid: "mark" });
    assertEquals(marked.flags.map((f) => f.column), ["age"]);
    assertAlmostEquals(marked.probability, scorer.decide(bad, { onInvalid: "mark" }).probability, 1e-6);
  } finally {
    scorer.dispose();
  }
});
