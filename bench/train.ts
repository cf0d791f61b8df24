/**
 * `deno task bench train [--seed S] [--model mlp|logistic]`: trains the credit model on the real tutorial loans
 * (point-in-time joined with the real zipcode features; no synthetic credit history) with the time-based split the
 * scikit-learn baselines were measured on (newest 20% held out), and on the generated data when
 * `data/generated/loan_table.parquet` exists. Writes bench/results/train.json: `auc` (real test split), `train_s`,
 * `split` (its description and the baselines), the logistic regression's figures and the generated-data AUC.
 * @module
 */
import { intFlag, parseTaskArgs } from "../lib/cli/mod.ts";
import { creditTrainingSource, SHARED_CREDIT_DIR } from "../lib/credit/model_spec.ts";
import { trainModel, type TrainResult } from "../lib/model/train.ts";
import { peakRssMb, round, writeResults } from "./harness.ts";

const BASELINES = {
  note: "scikit-learn on the same split (newest 20% of the real loans held out), loan columns only",
  decision_tree_auc: 0.809,
  logistic_regression_auc: 0.838,
  hist_gradient_boosting_auc: 0.934,
};

function summary(r: TrainResult) {
  return {
    auc: round(r.test.rocAuc, 4),
    pr_auc: round(r.test.prAuc, 4),
    ks: round(r.test.ks.statistic, 4),
    brier: round(r.test.brierScore, 4),
    recall_at_threshold: round(r.test.confusion.recall, 4),
    precision_at_threshold: round(r.test.confusion.precision, 4),
    threshold: round(r.threshold.threshold, 4),
    val_auc: round(r.validation.rocAuc, 4),
    train_s: round(r.trainSeconds, 2),
    best_epochs: r.bestEpochs,
    backend: r.backend,
  };
}

/** Runs the benchmark with command-line style arguments. */
export async function main(args: string[]): Promise<void> {
  const { values } = parseTaskArgs(args, {
    usage: "deno task bench train [--seed S]",
    options: { seed: { type: "string" } },
  });
  const seed = intFlag(values, "seed", { min: 0, fallback: 42 });
  const hasReal = await Deno.stat(`${SHARED_CREDIT_DIR}/loan_table.parquet`).then(() => true, () => false);
  if (!hasReal) throw new Error(`The real loan table is absent from "${SHARED_CREDIT_DIR}"; nothing to measure`);
  const real = creditTrainingSource("real");
  const log = (line: string) => console.log(`  ${line}`);
  console.log("MLP on the real loans x real zipcode features");
  const mlp = await trainModel({ source: real, modelType: "mlp", seed, track: false, log });
  console.log("Logistic regression on the same split");
  const logistic = await trainModel({ source: real, modelType: "logistic", seed, track: false, log });
  let generated: Record<string, unknown> | null = null;
  const genSource = creditTrainingSource("generated", { dataDir: "data/generated" });
  if (await Deno.stat(genSource.entities).then(() => true, () => false)) {
    console.log("MLP on the generated data (loans x credit history x zipcode features)");
    const g = await trainModel({ source: genSource, modelType: "mlp", seed, track: false, log });
    generated = { ...summary(g), rows: g.split.rows, note: "generated data; not comparable with the real figure" };
  } else {
    console.warn(
      "!!! data/generated/loan_table.parquet is absent: run `deno task generate-data` for the generated AUC",
    );
  }
  const path = await writeResults("train", {
    auc: round(mlp.test.rocAuc, 4),
    train_s: round(mlp.trainSeconds, 2),
    goal: { auc: 0.92, train_s: 60 },
    split: {
      description: mlp.split.description,
      rows: mlp.split.rows,
      train: mlp.split.train,
      validation: mlp.split.validation,
      test: mlp.split.test,
      test_from: mlp.split.testFrom,
      test_to: mlp.split.testTo,
      data: "real loan_table.parquet joined point-in-time with the real zipcode_table.parquet (ttl 3650 days)",
      baselines: BASELINES,
    },
    mlp: summary(mlp),
    logistic: summary(logistic),
    generated,
    peak_rss_mb: round(peakRssMb(), 0),
  });
  console.log(
    `real test ROC AUC: MLP ${mlp.test.rocAuc.toFixed(4)} (train ${mlp.trainSeconds.toFixed(1)} s), logistic ` +
      `${logistic.test.rocAuc.toFixed(4)}; baselines tree 0.809, LR 0.838, HistGB 0.934 -> ${path}`,
  );
}

if (import.meta.main) await main(Deno.args);
