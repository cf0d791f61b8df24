/**
 * One numerical column's work, the unit the drift workers run: sort the values (once per side), summarize the
 * reference, run the test and PSI. The same function runs in-process for small inputs.
 *
 * @example
 * ```ts
 * import { runNumericTask } from "./numeric_task.ts";
 * const { drift } = runNumericTask({
 *   column: "x", reference: { raw: [{ values: Float64Array.from([1, 2, 3, 4, 5, 6]), validity: null, bitOffset: 0 }] },
 *   current: [{ values: Float64Array.from([4, 5, 6, 7]), validity: null, bitOffset: 0 }],
 *   referenceCounts: { rows: 6, missing: 0 }, currentCounts: { rows: 4, missing: 0 }, options: {},
 * });
 * ```
 * @module
 */
import {
  type ColumnDrift,
  type ColumnOptions,
  compareNumeric,
  type NumericReference,
  type SideCounts,
  summarizeNumeric,
} from "./column_drift.ts";
import { type NumericChunk, valuesFromChunks } from "./columns.ts";
import { runLengths, sampleFromSorted, sampleFromValues } from "./sample.ts";

/** A numerical column to compare; the reference is raw buffers (filtered and sorted here) or a summary. */
export interface NumericTask {
  column: string;
  reference: { raw: NumericChunk[] } | { summary: NumericReference };
  /** The current column's buffers (filtered and sorted here). */
  current: NumericChunk[];
  referenceCounts: SideCounts;
  currentCounts: SideCounts;
  options: ColumnOptions;
}

/** The column's drift, and the reference summary when it was built from raw values. */
export interface NumericTaskResult {
  drift: ColumnDrift;
  reference: NumericReference | null;
  /** Reference rows and missing values (missing counted here for raw references). */
  referenceCounts: SideCounts;
}

/**
 * Runs a {@link NumericTask}.
 *
 * @example
 * ```ts
 * import { runNumericTask } from "./numeric_task.ts";
 * runNumericTask({
 *   column: "x", reference: { raw: [{ values: Float64Array.from([1, 2]), validity: null, bitOffset: 0 }] },
 *   current: [{ values: Float64Array.from([3]), validity: null, bitOffset: 0 }],
 *   referenceCounts: { rows: 2, missing: 0 }, currentCounts: { rows: 1, missing: 0 }, options: { test: "psi" },
 * }).drift.psi;
 * ```
 */
export function runNumericTask(task: NumericTask): NumericTaskResult {
  let reference: NumericReference;
  let built: NumericReference | null = null;
  const cur = valuesFromChunks(task.current);
  const currentCounts = { rows: task.currentCounts.rows, missing: cur.missing };
  let referenceCounts = task.referenceCounts;
  if ("raw" in task.reference) {
    const raw = valuesFromChunks(task.reference.raw);
    referenceCounts = { rows: task.referenceCounts.rows, missing: raw.missing };
    reference = summarizeNumeric(sampleFromValues(raw.values), task.options.psiBins);
    // keep few-valued columns (ages, counts) as distinct values with counts: less memory, same answers
    if (reference.stats.distinct * 4 <= reference.sample.n) {
      const rl = runLengths(reference.sample);
      reference = { ...reference, sample: sampleFromSorted(rl.values, rl.counts) };
    }
    built = reference;
  } else reference = task.reference.summary;
  const drift = compareNumeric({
    column: task.column,
    reference,
    referenceCounts,
    current: sampleFromValues(cur.values),
    currentCounts,
    options: task.options,
  });
  return { drift, reference: built, referenceCounts };
}
