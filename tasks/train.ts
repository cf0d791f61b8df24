/**
 * `deno task train [--model mlp|logistic|...] [--target-recall R | --cost-missed-default X --cost-rejected-good Y]
 *  [--data generated|real] [--seed S] [--epochs N] [--name NAME]`: builds the training set point-in-time correct
 * through the feature store, trains, evaluates on the newest 20% of the loans, records a run and registers a model
 * version (the first version becomes `champion`).
 *
 * `--data generated` (default) uses `<data_dir>` (run `deno task generate-data` first) with credit history and
 * zipcode features; `--data real` uses the real tutorial files in `../shared/data/feast-credit` with zipcode
 * features only (no synthetic credit history).
 *
 * @example
 * ```sh
 * deno task train --model mlp --target-recall 0.9 --data real
 * ```
 * @module
 */
import {
  choiceFlag,
  intFlag,
  numberFlag,
  type ParsedArgs,
  parseTaskArgs,
  runTask,
  UsageError,
} from "../lib/cli/mod.ts";
import { toS3Options } from "../lib/feature_store/config.ts";
import { FeatureStore } from "../lib/feature_store/feature_store.ts";
import { exists } from "../lib/io/mod.ts";
import { openRepoFlag, trainingSourceOf } from "../lib/repo/load.ts";
import { trainModel, type TrainResult } from "../lib/model/train.ts";
import type { ThresholdPolicy } from "../lib/model/policy.ts";
import { MODEL_TYPE_NAMES } from "../lib/model/model_types.ts";

/** Usage line of the task. */
export const USAGE =
  "deno task train [--repo DIR] [--model mlp|logistic|...] [--target-recall R | --cost-missed-default X " +
  "--cost-rejected-good Y] [--data NAME] [--seed S] [--epochs N] [--name NAME]";

/** The task's parsed options. */
export interface TrainArgs {
  repo?: string;
  /** Default: the model spec's. */
  model?: string;
  /** Default: the model spec's. */
  policy?: ThresholdPolicy;
  /** A dataset of the repo (default the model spec's own entity rows). */
  data?: string;
  seed: number;
  epochs?: number;
  /** Default: the model spec's. */
  name?: string;
  help: boolean;
}

/** The default seed of training. */
export const DEFAULT_SEED = 42;

function positiveNumber(values: ParsedArgs["values"], flag: string, max = Infinity): number | undefined {
  const expected = `a number ${max === Infinity ? "above 0" : `in (0, ${max}]`}`;
  return numberFlag(values, flag, { check: (x) => x > 0 && x <= max, expected, usage: USAGE });
}

/**
 * Parses and checks the task's arguments (errors are {@link UsageError}s naming the flag).
 *
 * @example
 * ```ts
 * parseTrainArgs(["--model", "logistic", "--target-recall", "0.8"]).policy; // { kind: "target_recall", targetRecall: 0.8 }
 * ```
 */
export function parseTrainArgs(args: string[]): TrainArgs {
  const { values } = parseTaskArgs(args, {
    usage: USAGE,
    options: {
      repo: { type: "string" },
      model: { type: "string" },
      "target-recall": { type: "string" },
      "cost-missed-default": { type: "string" },
      "cost-rejected-good": { type: "string" },
      data: { type: "string" },
      seed: { type: "string" },
      epochs: { type: "string" },
      name: { type: "string" },
    },
  });
  const model = values.model === undefined
    ? undefined
    : choiceFlag(values, "model", MODEL_TYPE_NAMES, { usage: USAGE });
  if (values.data !== undefined && String(values.data).trim() === "") {
    throw new UsageError(`Flag "--data" is empty; expected a dataset of the repo`, USAGE);
  }
  const recall = positiveNumber(values, "target-recall", 1);
  const missed = positiveNumber(values, "cost-missed-default");
  const rejected = positiveNumber(values, "cost-rejected-good");
  if (recall !== undefined && (missed !== undefined || rejected !== undefined)) {
    throw new UsageError(`Give "--target-recall" or the two costs, not both`, USAGE);
  }
  if ((missed === undefined) !== (rejected === undefined)) {
    throw new UsageError(`Give both "--cost-missed-default" and "--cost-rejected-good"`, USAGE);
  }
  const policy: ThresholdPolicy | undefined = missed !== undefined
    ? { kind: "min_cost", costMissedDefault: missed, costRejectedGood: rejected! }
    : recall !== undefined
    ? { kind: "target_recall", targetRecall: recall }
    : undefined;
  return {
    repo: values.repo === undefined ? undefined : String(values.repo),
    model,
    policy,
    data: values.data === undefined ? undefined : String(values.data).trim(),
    seed: intFlag(values, "seed", { min: 0, fallback: DEFAULT_SEED }),
    epochs: values.epochs === undefined ? undefined : intFlag(values, "epochs", { min: 1, max: 10_000 }),
    name: values.name === undefined ? undefined : String(values.name),
    help: Boolean(values.help),
  };
}

/**
 * The task's body: trains with the configured stores and prints the figures. Returns the training result.
 *
 * @example
 * ```ts
 * const result = await main(["--data", "real", "--model", "logistic"]);
 * ```
 */
export async function main(args: string[], out: (line: string) => void = console.log): Promise<TrainResult | null> {
  const parsed = parseTrainArgs(args);
  if (parsed.help) {
    out(`usage: ${USAGE}`);
    return null;
  }
  const opened = await openRepoFlag(parsed.repo);
  const config = opened.config;
  const io = { s3: toS3Options(config.s3) };
  const source = trainingSourceOf(opened, parsed.data);
  if (!(await exists(source.entities, io))) {
    throw new Error(
      `No entity rows at "${source.entities}" (${
        source.kind === "repo" ? `"entityRows" of ${opened.module}` : `dataset "${source.kind}"`
      })${opened.builtin && source.kind !== "real" ? `; run "deno task generate-data" first` : ""}`,
    );
  }
  const policy = parsed.policy ?? opened.model.policy;
  const name = parsed.name ?? opened.model.name;
  const store = await FeatureStore.open({ config, repo: source.repo });
  try {
    const r = await trainModel({
      source,
      store,
      modelType: parsed.model ?? opened.model.modelType,
      policy,
      seed: parsed.seed,
      epochs: parsed.epochs,
      name,
      root: config.model_store,
      io,
      log: (line) => out(`  ${line}`),
    });
    const c = r.test.confusion;
    out(
      `Test (newest ${r.split.test} rows): ROC AUC ${r.test.rocAuc.toFixed(4)}, PR AUC ${r.test.prAuc.toFixed(4)}, ` +
        `KS ${r.test.ks.statistic.toFixed(3)}, Gini ${r.test.gini.toFixed(3)}, Brier ${r.test.brierScore.toFixed(4)}`,
    );
    out(
      `Threshold ${r.threshold.threshold.toFixed(4)} (${policyText(policy)}, chosen on validation): ` +
        `recall ${c.recall.toFixed(3)}, precision ${c.precision.toFixed(3)}, approval rate ${
          c.approvalRate.toFixed(3)
        }`,
    );
    out(
      `Run ${r.runId} -> model "${name}" version ${r.version}${r.champion ? " (champion)" : ""}; ` +
        `trained in ${r.trainSeconds.toFixed(1)} s on ${r.backend}`,
    );
    return r;
  } finally {
    await store.close();
  }
}

function policyText(p: ThresholdPolicy): string {
  return p.kind === "target_recall"
    ? `target recall ${p.targetRecall}`
    : `min cost, missed default ${p.costMissedDefault}, rejected good ${p.costRejectedGood}`;
}

if (import.meta.main) await runTask(async () => void (await main(Deno.args)));
