/**
 * A small credit model for the scorers' tests: a feature spec with every kind the preprocessor has (numeric with log,
 * clip, bins and constant imputation, ratio, product, bucket, categorical, cross) and one range rule, seeded loan-like
 * rows whose label depends on the features, and a {@linkcode ModelScorer} (logistic or an MLP ensemble) trained on
 * them in a second or two. The fast scorers (`BatchScorer`, `OnlineDecider`) are checked against its `decide`.
 *
 * @example
 * ```ts
 * import { smallCreditRows, smallModelScorer } from "./small_credit_model.ts";
 * const scorer = await smallModelScorer({ hidden: [16, 8], members: 3 });
 * const answer = scorer.decide(smallCreditRows(1, 9)[0]);
 * ```
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { buildNetwork, fitNetwork } from "../model/tfjs_model.ts";
import { seededRandom } from "../numeric/random.ts";
import { type FeatureSpec, fitPreprocessor, type RawRow } from "../model/preprocess.ts";
import { ModelScorer } from "../model/train.ts";

/** Every feature kind, and a range rule on age (18 to 100). */
export const SMALL_CREDIT_SPEC: FeatureSpec = {
  label: "y",
  features: [
    { kind: "numeric", name: "age", description: "age" },
    { kind: "bucket", name: "age_band", column: "age", edges: [25, 35, 50], description: "age band" },
    { kind: "numeric", name: "income", log: true, bins: 4, description: "income" },
    { kind: "numeric", name: "emp", clip: 3, impute: 0, description: "employment years" },
    { kind: "numeric", name: "missed", description: "missed payments" },
    { kind: "ratio", name: "lti", numerator: ["amount"], denominator: "income", description: "loan to income" },
    {
      kind: "ratio",
      name: "dti",
      numerator: ["debt_a", "debt_b"],
      denominator: "income",
      log: true,
      description: "dti",
    },
    { kind: "numeric", name: "rate", description: "interest rate" },
    { kind: "product", name: "rate_x_lti", factors: ["rate", "lti"], description: "interest to income" },
    { kind: "categorical", name: "home", description: "home ownership" },
    { kind: "categorical", name: "intent", minCount: 30, description: "intent" },
    { kind: "cross", name: "intent_x_home", columns: ["intent", "home"], minCount: 25, description: "cross" },
  ],
  rules: [{ column: "age", min: 18, max: 100, label: "age" }],
};

const HOMES = ["RENT", "OWN", "MORTGAGE", "OTHER"];
/** "RARE" stays below the intent's minCount. */
const INTENTS = ["EDUCATION", "MEDICAL", "VENTURE", "PERSONAL", "RARE"];

/**
 * `n` seeded rows of {@link SMALL_CREDIT_SPEC}'s columns with a label `y` (missing values in income, employment, debt,
 * rate and home).
 *
 * @example
 * ```ts
 * const train = smallCreditRows(1500, 1);
 * ```
 */
export function smallCreditRows(n: number, seed: number): RawRow[] {
  const r = seededRandom(seed);
  const pick = <T>(xs: T[], weights: number[]) => {
    let u = r() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < xs.length; i++) if ((u -= weights[i]) <= 0) return xs[i];
    return xs[xs.length - 1];
  };
  return Array.from({ length: n }, () => {
    const age = 20 + Math.floor(r() * 50);
    const income = r() < 0.05 ? null : 15_000 + r() * 120_000;
    const amount = 1000 + r() * 30_000;
    const missed = r() < 0.6 ? 0 : Math.floor(r() * 5);
    const rate = r() < 0.08 ? null : 5 + r() * 15;
    const home = r() < 0.03 ? null : pick(HOMES, [5, 2, 3, 0.2]);
    const intent = pick(INTENTS, [3, 3, 2, 2, 0.1]);
    const z = 0.8 * missed + 3 * (amount / (income ?? 50_000)) + (home === "RENT" ? 0.6 : 0) + ((rate ?? 10) - 10) / 4 -
      2 + (r() - 0.5);
    return {
      age,
      income,
      emp: r() < 0.1 ? null : Math.floor(r() * 12),
      missed,
      amount,
      debt_a: r() < 0.03 ? null : r() * 20_000,
      debt_b: r() * 5000,
      rate,
      home,
      intent,
      y: z > 0 ? 1 : 0,
    };
  });
}

/** Options of {@linkcode smallModelScorer}. */
export interface SmallModelScorerOptions {
  /** Hidden layer sizes of each member (null: logistic regression). */
  hidden: number[] | null;
  /** Ensemble members. */
  members: number;
  activation?: "relu" | "tanh";
}

/**
 * A {@linkcode ModelScorer} trained for 6 epochs on 1,500 {@link smallCreditRows} (seeds fixed), with a calibration,
 * baseline modes and a 0.35 threshold, as `trainModel` would save them. The tfjs backend must be initialised.
 *
 * @example
 * ```ts
 * const logistic = await smallModelScorer({ hidden: null, members: 1 });
 * ```
 */
export async function smallModelScorer(opts: SmallModelScorerOptions): Promise<ModelScorer> {
  const train = smallCreditRows(1500, 1);
  const pre = fitPreprocessor(SMALL_CREDIT_SPEC, train);
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
      validation: ds(smallCreditRows(300, 2)),
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
  return new ModelScorer(meta, pre, networks, threshold, 7);
}
