/**
 * The model as the scoring job sees it: what it reads, what categories it knows, its reason codes and threshold,
 * and `score(batch)`, run in a pool of workers (one per core by default) so that scoring runs beside the main
 * thread's reading, joining and writing, or in this thread (`workers: 0`, or networks the batch scorer cannot
 * ship to a worker).
 *
 * @example
 * ```ts
 * import { scoringModel } from "./model.ts";
 * const model = await scoringModel(scorer, { name: "credit_default", workers: 2 });
 * const scores = await model.score(input, { reasons: "all" });
 * await model.close();
 * ```
 * @module
 */
import {
  type BatchModel,
  batchModelOf,
  type BatchScoreOptions,
  BatchScorer,
  type BatchScores,
  type ColumnarInput,
} from "../model/batch_scorer.ts";
import { inputColumns, type LevelState, type RangeRule } from "../model/preprocess.ts";
import type { ModelScorer } from "../model/train.ts";

/** See the module doc. */
export interface ScoringModel {
  /** Registered model name. */
  readonly name: string;
  readonly version: number | null;
  /** Reject when probability >= threshold. */
  readonly threshold: number;
  /** Raw columns the model reads (application columns and stored features), in its spec's order. */
  readonly inputColumns: readonly string[];
  /** Reason codes (feature groups); reason indices point here. */
  readonly groups: readonly string[];
  /** Readable text of a reason code. */
  describe(group: string): string;
  /** Categories the model knows for a raw text column (from its fitted preprocessing), or null. */
  categories(column: string): readonly string[] | null;
  /** Whether the model reads a raw column as text (categories, crosses) rather than as a number. */
  isText(column: string): boolean;
  /** Out-of-range checks of the model. */
  readonly rules: readonly RangeRule[];
  /** Where scoring runs: "workers:N" or "main thread". */
  readonly runsOn: string;
  score(input: ColumnarInput, opts: BatchScoreOptions): Promise<BatchScores>;
  close(): Promise<void>;
}

/** Options of {@link scoringModel}. */
export interface ScoringModelOptions {
  name: string;
  /** Scoring workers (default: the number of cores, at most 4; 0 = this thread). */
  workers?: number;
}

interface Pending {
  resolve: (s: BatchScores) => void;
  reject: (e: Error) => void;
}

class WorkerPool {
  readonly #workers: { worker: Worker; busy: number }[] = [];
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #failed: Error | null = null;

  static async start(model: BatchModel, size: number): Promise<WorkerPool> {
    const pool = new WorkerPool();
    const ready: Promise<void>[] = [];
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL("./score_worker.ts", import.meta.url).href, { type: "module" });
      const entry = { worker, busy: 0 };
      pool.#workers.push(entry);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.onmessage = (e: MessageEvent) => {
            const m = e.data as { type: string; id: number; scores?: BatchScores; message?: string };
            if (m.type === "ready") return resolve();
            if (m.type === "error" && m.id === -1) return reject(new Error(`Scoring worker failed: ${m.message}`));
            const p = pool.#pending.get(m.id);
            if (!p) return;
            pool.#pending.delete(m.id);
            entry.busy--;
            if (m.type === "scores") p.resolve(m.scores!);
            else p.reject(new Error(`Scoring failed in a worker: ${m.message}`));
          };
          worker.onerror = (e) => {
            e.preventDefault();
            const err = new Error(`Scoring worker crashed: ${e.message}`);
            pool.#failed = err;
            reject(err);
            for (const p of pool.#pending.values()) p.reject(err);
            pool.#pending.clear();
          };
        }),
      );
      worker.postMessage({ type: "init", model });
    }
    try {
      await Promise.all(ready);
    } catch (err) {
      pool.close();
      throw err;
    }
    return pool;
  }

  score(input: ColumnarInput, opts: BatchScoreOptions): Promise<BatchScores> {
    if (this.#failed) return Promise.reject(this.#failed);
    const entry = this.#workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.#next++;
    entry.busy++;
    return new Promise<BatchScores>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      entry.worker.postMessage({ type: "score", id, input, opts });
    });
  }

  close(): void {
    for (const w of this.#workers) w.worker.terminate();
    for (const p of this.#pending.values()) p.reject(new Error("The scoring pool was closed"));
    this.#pending.clear();
  }
}

/**
 * Wraps a loaded model for the scoring job.
 *
 * @example
 * ```ts
 * const model = await scoringModel(await loadModel({ root: "data/models", alias: "champion" }), { name: "credit_default" });
 * ```
 */
export async function scoringModel(scorer: ModelScorer, opts: ScoringModelOptions): Promise<ScoringModel> {
  const pre = scorer.preprocessor;
  const spec = pre.spec;
  const categoriesByColumn = new Map<string, string[]>();
  for (const f of spec.features) {
    if (f.kind !== "categorical") continue;
    const st = pre.state[f.name] as LevelState;
    const column = f.column ?? f.name;
    categoriesByColumn.set(column, [...new Set([...(categoriesByColumn.get(column) ?? []), ...st.levels])]);
  }
  const textColumns = new Set<string>();
  const numericColumns = new Set<string>();
  for (const f of spec.features) {
    if (f.kind === "categorical") textColumns.add(f.column ?? f.name);
    else if (f.kind === "cross") f.columns.forEach((c) => textColumns.add(c));
    else if (f.kind === "numeric") numericColumns.add(f.column ?? f.name);
    else if (f.kind === "ratio") [...f.numerator, f.denominator].forEach((c) => numericColumns.add(c));
    else if (f.kind === "bucket") numericColumns.add(f.column);
  }
  const requested = opts.workers ?? Math.min(4, Math.max(1, navigator.hardwareConcurrency || 1));
  const model = requested > 0 ? batchModelOf(scorer) : null;
  const pool = model ? await WorkerPool.start(model, requested) : null;
  const local = pool ? null : await BatchScorer.fromScorer(scorer);
  const groups = [...pre.groups.keys()];
  return {
    name: opts.name,
    version: scorer.version,
    threshold: scorer.threshold.threshold,
    inputColumns: inputColumns(spec),
    groups,
    describe: (g) => pre.describe(g),
    categories: (column) => categoriesByColumn.get(column) ?? null,
    isText: (column) => textColumns.has(column) && !numericColumns.has(column),
    rules: spec.rules ?? [],
    runsOn: pool ? `${requested} worker${requested === 1 ? "" : "s"}` : "main thread",
    score(input, scoreOpts) {
      if (pool) return pool.score(input, scoreOpts);
      try {
        return Promise.resolve(local!.score(input, scoreOpts));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    close() {
      pool?.close();
      local?.dispose();
      return Promise.resolve();
    },
  };
}
