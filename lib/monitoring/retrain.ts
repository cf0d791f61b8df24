/**
 * Retraining after drift: train a challenger on the newest labelled rows, compare it with the champion on a holdout
 * that neither was trained on, and promote it only when it is better by the configured margin.
 *
 * The labelled rows (a point-in-time correct training table: label, event time, features) are split by time with
 * {@linkcode holdoutWindow}: the newest `holdoutDays` of labelled rows are the holdout; the challenger is trained
 * (its own run, registered as a new version with the `challenger` alias) on the labelled rows before it, within
 * `trainDays`. Both models score the holdout; {@linkcode compareOnHoldout} decides with the rule's metric and margin
 * and the decision policy (the challenger must also meet it, target recall or cost, on the holdout at its own
 * threshold), and reports both models' recall, precision and approval at their thresholds, the champion's decay since
 * its training and every test set; the `champion` alias moves only on promotion (never in a dry run).
 *
 * @example
 * ```ts
 * import { retrainChallenger } from "./retrain.ts";
 * const outcome = await retrainChallenger({
 *   root: "data/models", name: "credit_default", labelled, spec: creditFeatureSpec(),
 *   rule: { metric: "roc_auc", margin: 0.005 },
 * });
 * console.log(outcome.decision, outcome.explanation);
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { type IoOptions, timestampMicros } from "../io/mod.ts";
import { takeVector } from "../feature_store/offline/take.ts";
import type { FeatureSpec } from "../model/preprocess.ts";
import { loadModel, tableToRows, trainModel, type TrainOptions, type TrainResult } from "../model/train.ts";
import { getAliases, getVersion, type ModelVersion, setAlias } from "../model/registry.ts";
import { getRun } from "../model/tracking.ts";
import type { ThresholdPolicy } from "../model/policy.ts";
import {
  compareOnHoldout,
  type Comparison,
  holdoutWindow,
  type PromotionRule,
  REGISTERED_TEST_METRIC,
  type TestSetFacts,
} from "../model/champion.ts";

/** What the retraining decided. */
export type RetrainDecision = "promoted" | "kept_champion" | "dry_run_would_promote" | "dry_run_would_keep";

/** Options of {@linkcode retrainChallenger}. */
export interface RetrainOptions {
  /** Model store root (local or s3://). */
  root: string;
  /** Registered model name (the repo's model spec names it). */
  name: string;
  io?: IoOptions;
  /** Labelled rows: label, event time and the feature columns (a point-in-time correct training table). */
  labelled: arrow.Table;
  /** The model's feature spec (label, timestamp column, features). */
  spec: FeatureSpec;
  /** Promotion rule (metric and margin). */
  rule: PromotionRule;
  /** Holdout: the newest labelled rows within this many days of the newest (default 30). */
  holdoutDays?: number;
  /** Challenger training rows: labelled rows within this many days before the holdout (default 365). */
  trainDays?: number;
  /** Decide but do not move the `champion` alias. */
  dryRun?: boolean;
  /**
   * The decision policy the challenger must meet on the holdout at its own threshold (default `train.policy`, else
   * the champion's stored policy, else target recall 0.9).
   */
  policy?: ThresholdPolicy;
  /** How far below a target recall the challenger's holdout recall may be (default 0). */
  policyTolerance?: number;
  /**
   * Training settings for the challenger (model type, seed, epochs, ...; default trainModel's, except that its own
   * time split keeps 10% for validation and 10% for its test: the holdout is the comparison's test).
   */
  train?: Partial<TrainOptions>;
  /** Extra tags of the challenger's run (e.g. the monitor run's id). */
  tags?: Record<string, string>;
  /** Fewest training rows a challenger may be trained on (default 500). */
  minTrainRows?: number;
  log?: (line: string) => void;
}

/** What {@linkcode retrainChallenger} did. */
export interface RetrainOutcome {
  decision: RetrainDecision;
  /** Whether the `champion` alias moved. */
  promoted: boolean;
  /** Sentences with the numbers: what was trained, how it compared, what was done. */
  explanation: string;
  champion: { version: number; run_id: string };
  challenger: { version: number; run_id: string; test_auc: number; train_seconds: number };
  /** Challenger training rows and their time range (ISO). */
  training: { rows: number; from: string | null; to: string; days: number };
  /** Holdout rows and range (ISO), and labelled rows left out because their label has not arrived. */
  holdout: { rows: number; from: string; to: string; days: number; unlabelled: number };
  comparison: Comparison;
  /** The challenger's training result. */
  result: TrainResult;
}

function takeRows(table: arrow.Table, rows: number[]): arrow.Table {
  const idx = Int32Array.from(rows);
  const columns: Record<string, arrow.Vector> = {};
  for (const f of table.schema.fields) columns[f.name] = takeVector(table.getChild(f.name)!, idx);
  return new arrow.Table(columns);
}

function labelsOf(table: arrow.Table, label: string): { values: Float64Array; known: Uint8Array } {
  const v = table.getChild(label);
  if (!v) throw new Error(`The labelled rows have no label column "${label}"`);
  const values = new Float64Array(table.numRows);
  const known = new Uint8Array(table.numRows);
  let i = 0;
  for (const x of v) {
    if (x !== null && x !== undefined) {
      const n = Number(x);
      if (n !== 0 && n !== 1) throw new Error(`Row ${i} has label "${label}" = "${String(x)}"; expected 0 or 1`);
      values[i] = n;
      known[i] = 1;
    }
    i++;
  }
  return { values, known };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The threshold and policy stored with a registered version (null when absent). */
function storedChoice(v: ModelVersion): { threshold: number | null; policy: ThresholdPolicy | null } {
  const p = v.policy as { threshold?: unknown; policy?: unknown } | null;
  const threshold = typeof p?.threshold === "number"
    ? p.threshold
    : typeof v.metrics?.threshold === "number"
    ? v.metrics.threshold
    : null;
  const policy = p?.policy && typeof p.policy === "object" ? p.policy as ThresholdPolicy : null;
  return { threshold, policy };
}

/** The test set of a run's time split (its `split` param), or null when it did not record one. */
async function runTestSet(root: string, runId: string, io?: IoOptions): Promise<TestSetFacts | null> {
  try {
    const split = (await getRun(root, runId, { io })).params?.split as
      | { test?: number; testFrom?: string | null; testTo?: string | null }
      | undefined;
    if (!split || typeof split.test !== "number") return null;
    return { rows: split.test, from: split.testFrom ?? null, to: split.testTo ?? null };
  } catch {
    return null;
  }
}

/**
 * Trains a challenger on the newest labelled rows before the holdout, compares it with the champion on the
 * holdout, and promotes it when it is better by the rule's margin (see the module doc).
 *
 * @example
 * ```ts
 * const o = await retrainChallenger({ root, labelled, spec, rule: { metric: "roc_auc", margin: 0.005 }, dryRun: true });
 * o.decision; // "dry_run_would_promote" or "dry_run_would_keep"
 * ```
 */
export async function retrainChallenger(opts: RetrainOptions): Promise<RetrainOutcome> {
  const log = opts.log ?? (() => {});
  const name = opts.name;
  const { root, io } = opts;
  const timestamp = opts.spec.timestampColumn ?? "event_timestamp";
  const holdoutDays = opts.holdoutDays ?? 30;
  const trainDays = opts.trainDays ?? 365;
  const champion = await getVersion({ root, name, alias: "champion", io });

  const tsVector = opts.labelled.getChild(timestamp);
  if (!tsVector) throw new Error(`The labelled rows have no time column "${timestamp}"`);
  const micros = timestampMicros(tsVector);
  const times = Float64Array.from(micros, (us) => Number(us / 1000n));
  const labels = labelsOf(opts.labelled, opts.spec.label);
  const window = holdoutWindow(times, { labelled: labels.known, holdoutDays, trainDays });
  const minTrain = opts.minTrainRows ?? 500;
  if (window.train.length < minTrain) {
    throw new Error(
      `Only ${window.train.length} labelled rows in the ${trainDays} days before the holdout (from ` +
        `${iso(window.holdoutFrom)}); a challenger needs at least ${minTrain} (lengthen "trainDays")`,
    );
  }
  const training = {
    rows: window.train.length,
    from: window.trainFrom === null ? null : iso(window.trainFrom),
    to: iso(times[window.train[window.train.length - 1]]),
    days: trainDays,
  };
  const holdout = {
    rows: window.holdout.length,
    from: iso(times[window.holdout[0]]),
    to: iso(window.holdoutTo),
    days: holdoutDays,
    unlabelled: window.unlabelled,
  };
  log(
    `challenger: training on ${training.rows} labelled rows ${training.from?.slice(0, 10)} to ` +
      `${training.to.slice(0, 10)}; holdout ${holdout.rows} newest labelled rows ${holdout.from.slice(0, 10)} to ` +
      `${holdout.to.slice(0, 10)}`,
  );

  const result = await trainModel({
    // the holdout is the out-of-time test: the challenger keeps more of the newest rows for training
    testFraction: 0.1,
    validationFraction: 0.1,
    ...opts.train,
    trainingTable: takeRows(opts.labelled, window.train),
    featureSpec: opts.spec,
    root,
    name,
    io,
    register: true,
    autoChampion: false,
    // the challenger reads the same feature sources as the champion (batch scoring and serving pick them by this tag)
    dataKind: opts.train?.dataKind ?? champion.tags.data ?? "table",
    log: opts.train?.log ?? ((line) => log(`  ${line}`)),
    tags: {
      role: "challenger",
      champion_version: String(champion.version),
      training_from: training.from ?? "",
      training_to: training.to,
      holdout_from: holdout.from,
      ...opts.tags,
      ...opts.train?.tags,
    },
  });
  const challengerVersion = result.version!;
  await setAlias({ root, name, alias: "challenger", version: challengerVersion, io });
  log(
    `challenger: version ${challengerVersion} (run ${result.runId}), its own test ROC AUC ${
      result.test.rocAuc.toFixed(4)
    }`,
  );

  const holdoutTable = takeRows(opts.labelled, window.holdout);
  const holdoutRows = tableToRows(holdoutTable);
  const holdoutLabels = Float64Array.from(window.holdout, (i) => labels.values[i]);
  const score = async (version: number) => {
    const scorer = await loadModel({ root, name, version, io });
    try {
      return scorer.predict(holdoutRows);
    } finally {
      scorer.dispose();
    }
  };
  const stored = storedChoice(champion);
  const policy: ThresholdPolicy = opts.policy ?? opts.train?.policy ?? stored.policy ??
    { kind: "target_recall", targetRecall: 0.9 };
  const trainedMetric = REGISTERED_TEST_METRIC[opts.rule.metric];
  const comparison = compareOnHoldout({
    labels: holdoutLabels,
    champion: {
      version: champion.version,
      scores: await score(champion.version),
      ...(stored.threshold === null ? {} : { threshold: stored.threshold }),
    },
    challenger: {
      version: challengerVersion,
      scores: await score(challengerVersion),
      threshold: result.threshold.threshold,
    },
    rule: opts.rule,
    window: { from: holdout.from, to: holdout.to },
    policy,
    policyTolerance: opts.policyTolerance,
    championTraining: {
      value: trainedMetric && typeof champion.metrics?.[trainedMetric] === "number"
        ? champion.metrics[trainedMetric]
        : null,
      test: await runTestSet(root, champion.run_id, io),
    },
    challengerTest: {
      rows: result.split.test,
      defaults: result.test.positives,
      from: result.split.testFrom,
      to: result.split.testTo,
    },
  });

  let decision: RetrainDecision;
  let action: string;
  if (opts.dryRun) {
    decision = comparison.promote ? "dry_run_would_promote" : "dry_run_would_keep";
    action = comparison.promote
      ? `Dry run: version ${challengerVersion} would be promoted to champion; the champion stays version ${champion.version}.`
      : `Dry run: the champion stays version ${champion.version}; version ${challengerVersion} is the challenger.`;
  } else if (comparison.promote) {
    const current = (await getAliases({ root, name, io })).champion;
    if (current !== champion.version) {
      throw new Error(
        `The champion moved from version ${champion.version} to ${current} while the challenger was evaluated; ` +
          `not promoting version ${challengerVersion} (run the monitor again)`,
      );
    }
    await setAlias({ root, name, alias: "champion", version: challengerVersion, io });
    decision = "promoted";
    action = `Promoted version ${challengerVersion} to champion (was version ${champion.version}).`;
  } else {
    decision = "kept_champion";
    action = `Kept version ${champion.version} as champion; version ${challengerVersion} stays the challenger.`;
  }
  log(`decision: ${action}`);
  return {
    decision,
    promoted: decision === "promoted",
    explanation: `${action} ${comparison.explanation}`,
    champion: { version: champion.version, run_id: champion.run_id },
    challenger: {
      version: challengerVersion,
      run_id: result.runId,
      test_auc: result.test.rocAuc,
      train_seconds: result.trainSeconds,
    },
    training,
    holdout,
    comparison,
    result,
  };
}
