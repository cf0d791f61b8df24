/**
 * The held-out rows of a training table, split by time exactly as {@linkcode trainModel} splits them (oldest rows
 * train, the next share validates, the newest share is the test), with their labels; the trade-off of decision
 * thresholds chosen on validation for several recall targets and what each achieves on the test rows; and a few
 * telling applicants to explain (the riskiest, the ones either side of the threshold, the safest).
 *
 * @example
 * ```ts
 * import { holdoutSplit, thresholdTradeoffs } from "./holdout.ts";
 * const split = holdoutSplit(training, { label: "churned" });
 * const rows = thresholdTradeoffs({
 *   validation: { scores: scorer.predict(split.validation.rows), labels: split.validation.labels },
 *   test: { scores: scorer.predict(split.test.rows), labels: split.test.labels },
 *   targets: [0.8, 0.9, 0.95],
 * });
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import type { RawRow } from "./preprocess.ts";
import { tableToRows, timeSplit } from "./time_split.ts";
import { chooseThreshold } from "./policy.ts";
import { confusionAt, type NumericArray } from "./metrics.ts";

/** Rows of one part of the split with their 0/1 labels. */
export interface SplitPart {
  rows: RawRow[];
  labels: Float32Array;
}

/** The three parts of a time-based split. */
export interface HoldoutSplit {
  train: SplitPart;
  validation: SplitPart;
  test: SplitPart;
}

/** Options of {@linkcode holdoutSplit} (the defaults are trainModel's). */
export interface HoldoutOptions {
  /** The 0/1 label column. */
  label: string;
  /** Event time column (default "event_timestamp"). */
  timestampColumn?: string;
  /** Newest share held out for the test (default 0.2). */
  testFraction?: number;
  /** Share just before the test used for validation (default 0.1). */
  validationFraction?: number;
}

function part(rows: RawRow[], idx: number[], label: string): SplitPart {
  const picked = idx.map((i) => rows[i]);
  const labels = Float32Array.from(picked, (r, i) => {
    const v = r[label];
    const n = typeof v === "bigint" ? Number(v) : typeof v === "boolean" ? Number(v) : v;
    if (n !== 0 && n !== 1) throw new Error(`Row ${idx[i]} has label "${label}" = "${String(v)}"; expected 0 or 1`);
    return n;
  });
  return { rows: picked, labels };
}

/**
 * Splits a training table by time into train, validation and test rows with labels (trainModel's split).
 *
 * @example
 * ```ts
 * const { test } = holdoutSplit(training, { label: "churned" });
 * const probabilities = scorer.predict(test.rows);
 * ```
 */
export function holdoutSplit(table: arrow.Table | readonly RawRow[], opts: HoldoutOptions): HoldoutSplit {
  const rows = Array.isArray(table) ? table as RawRow[] : tableToRows(table as arrow.Table);
  const split = timeSplit(rows, {
    timestampColumn: opts.timestampColumn ?? "event_timestamp",
    test: opts.testFraction ?? 0.2,
    validation: opts.validationFraction ?? 0.1,
  });
  return {
    train: part(rows, split.train, opts.label),
    validation: part(rows, split.validation, opts.label),
    test: part(rows, split.test, opts.label),
  };
}

/** One row of {@linkcode thresholdTradeoffs}. */
export interface ThresholdTradeoff {
  target_recall: number;
  /** Chosen on validation: reject when the probability is at least this. */
  threshold: number;
  validation_recall: number;
  test_recall: number;
  test_precision: number;
  /** Share of test applications approved. */
  test_approval_rate: number;
  /** Defaults approved among the test applications. */
  test_missed_defaults: number;
  /** Good loans rejected among the test applications. */
  test_rejected_good: number;
}

/** Scores and labels of one split part. */
export interface Scored {
  scores: NumericArray;
  labels: NumericArray;
}

/**
 * For each target recall: the threshold chosen on validation (the target-recall policy) and what it achieves on
 * the test rows.
 *
 * @example
 * ```ts
 * thresholdTradeoffs({ validation: v, test: t, targets: [0.85, 0.9, 0.95] }).map((r) => r.test_approval_rate);
 * ```
 */
export function thresholdTradeoffs(opts: { validation: Scored; test: Scored; targets: number[] }): ThresholdTradeoff[] {
  return opts.targets.map((target) => {
    const choice = chooseThreshold(opts.validation.scores, opts.validation.labels, {
      kind: "target_recall",
      targetRecall: target,
    });
    const c = confusionAt(opts.test.scores, opts.test.labels, choice.threshold);
    const r = (x: number) => Number(x.toFixed(4));
    return {
      target_recall: target,
      threshold: Number(choice.threshold.toPrecision(4)),
      validation_recall: r(choice.achieved.recall),
      test_recall: r(c.recall),
      test_precision: r(c.precision),
      test_approval_rate: r(c.approvalRate),
      test_missed_defaults: c.fn,
      test_rejected_good: c.fp,
    };
  });
}

/** A picked applicant: its index in the scored rows, why it was picked and its score. */
export interface Example {
  index: number;
  why: string;
  score: number;
}

/**
 * Up to four telling applicants: the riskiest, the lowest score still rejected, the highest score still approved,
 * and the safest (each once).
 *
 * @example
 * ```ts
 * exampleApplicants(Float32Array.of(0.1, 0.5, 0.3, 0.9), 0.4).map((e) => e.index); // [3, 1, 2, 0]
 * ```
 */
export function exampleApplicants(scores: NumericArray, threshold: number): Example[] {
  let riskiest = -1;
  let safest = -1;
  let justRejected = -1;
  let justApproved = -1;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!Number.isFinite(s)) continue;
    if (riskiest < 0 || s > scores[riskiest]) riskiest = i;
    if (safest < 0 || s < scores[safest]) safest = i;
    if (s >= threshold && (justRejected < 0 || s < scores[justRejected])) justRejected = i;
    if (s < threshold && (justApproved < 0 || s > scores[justApproved])) justApproved = i;
  }
  const out: Example[] = [];
  const add = (index: number, why: string) => {
    if (index >= 0 && !out.some((e) => e.index === index)) out.push({ index, why, score: scores[index] });
  };
  add(riskiest, "highest risk");
  add(justRejected, "just above the threshold (rejected)");
  add(justApproved, "just below the threshold (approved)");
  add(safest, "lowest risk");
  return out;
}
