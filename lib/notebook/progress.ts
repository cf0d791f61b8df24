/**
 * Progress of a long notebook cell, redrawn in place: one display (rows done, rate, time left, a bar) updated
 * through Jupyter's display updates, at most every `intervalMs`. Outside Jupyter it is lib/cli's
 * {@linkcode Progress} (a line redrawn on a terminal, quiet lines in CI), so lib code can take either.
 *
 * @example
 * ```ts
 * import { notebookProgress } from "./progress.ts";
 * const progress = notebookProgress({ label: "loans", total: 1_000_000 });
 * for (let done = 0; done < 1_000_000; done += 100_000) progress.update(done + 100_000);
 * await progress.done();
 * ```
 * @module
 */
import { Progress, type ProgressEnd, type ProgressOptions } from "../cli/progress.ts";
import { type DisplaySink, escapeHtml, isJupyter, jupyterSink } from "./display.ts";

/** What lib functions that report progress accept: a count to update and an end. */
export interface ProgressReporter {
  /** Sets the count done so far. */
  update(done: number): void;
  /** Adds `n` to the count. */
  add(n: number): void;
  /**
   * Draws the final state; resolves (with the elapsed seconds) once it is shown. A count short of the total ends
   * as "ended at 51 of 180 epochs", or "stopped early after 51 of at most 180 epochs: <reason>" with
   * `end.stoppedEarly` (see lib/cli's {@linkcode ProgressEnd}).
   */
  done(end?: ProgressEnd): Promise<number>;
}

export type { ProgressEnd };

/** Options of {@linkcode notebookProgress}. */
export interface NotebookProgressOptions {
  /** What is being counted ("loans", "epochs"). */
  label: string;
  /** Expected total, when known (percentage, bar and time left). */
  total?: number;
  /** Unit after counts (default "rows"). */
  unit?: string;
  /** Minimum milliseconds between display updates (default 250). */
  intervalMs?: number;
  /** Where to display (default: the Jupyter kernel when running in one). */
  sink?: DisplaySink;
  /** Outside Jupyter: options of lib/cli's Progress (mode, write). */
  cli?: Partial<ProgressOptions>;
  /** Clock in ms (tests). */
  now?: () => number;
}

let nextId = 0;

/** Progress shown as one Jupyter display updated in place; see the module doc. */
export class DisplayProgress implements ProgressReporter {
  readonly #line: Progress;
  readonly #sink: DisplaySink;
  readonly #id: string;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #total?: number;
  #done = 0;
  #lastDraw = -Infinity;
  #shown = false;
  #chain: Promise<void> = Promise.resolve();
  #error: unknown = null;

  /** @param opts See {@linkcode NotebookProgressOptions}; `sink` is required here. */
  constructor(opts: NotebookProgressOptions & { sink: DisplaySink }) {
    this.#now = opts.now ?? (() => performance.now());
    this.#line = new Progress({
      label: opts.label,
      total: opts.total,
      unit: opts.unit ?? "rows",
      mode: "silent",
      now: this.#now,
    });
    this.#sink = opts.sink;
    this.#total = opts.total;
    this.#intervalMs = opts.intervalMs ?? 250;
    this.#id = `progress-${Date.now().toString(36)}-${nextId++}`;
    this.#draw();
  }

  /** The display id the updates go to. */
  get displayId(): string {
    return this.#id;
  }

  /** @inheritdoc */
  update(done: number): void {
    this.#done = done;
    this.#line.update(done);
    if (this.#now() - this.#lastDraw >= this.#intervalMs) this.#draw();
  }

  /** @inheritdoc */
  add(n: number): void {
    this.update(this.#done + n);
  }

  /** @inheritdoc */
  async done(end: ProgressEnd = {}): Promise<number> {
    const seconds = this.#line.done();
    this.#draw(end);
    await this.#chain;
    if (this.#error) throw this.#error;
    return seconds;
  }

  /**
   * The HTML of the current state, or of the final one when `end` is given: a bar when the total is known (full
   * and green when the job finished or stopped early on purpose, grey at its share when it ended short of the
   * total), then the text line.
   */
  html(end?: ProgressEnd): string {
    const text = this.#text(end);
    const share = this.#total ? Math.min(1, this.#done / this.#total) : null;
    const complete = end !== undefined && (end.stoppedEarly !== undefined || end.skipped !== undefined);
    const color = end === undefined ? "#4c78a8" : complete || share === 1 ? "#54a24b" : "#9e9e9e";
    const bar = share === null ? "" : `<div style="width:240px;height:8px;background:#eee;border-radius:4px;` +
      `display:inline-block;vertical-align:middle;margin-right:8px"><div style="width:${
        ((complete ? 1 : share) * 100).toFixed(1)
      }%;height:8px;background:${color};border-radius:4px"></div></div>`;
    return `<div class="nb-progress" style="font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px">` +
      `${bar}<span>${escapeHtml(text)}</span></div>`;
  }

  #text(end?: ProgressEnd): string {
    return end === undefined ? this.#line.line() : this.#line.finalLine(end, this.#now());
  }

  #draw(end?: ProgressEnd): void {
    this.#lastDraw = this.#now();
    const bundle = { "text/html": this.html(end), "text/plain": this.#text(end) };
    const update = this.#shown;
    this.#shown = true;
    // updates are chained so they reach Jupyter in order; done() awaits the last one
    this.#chain = this.#chain.then(() => this.#sink.display(bundle, { displayId: this.#id, update }))
      .catch((err) => {
        this.#error ??= err;
      });
  }
}

/** lib/cli's Progress behind the {@linkcode ProgressReporter} interface (outside Jupyter). */
class CliProgress implements ProgressReporter {
  #done = 0;
  constructor(readonly progress: Progress) {}
  update(done: number): void {
    this.#done = done;
    this.progress.update(done);
  }
  add(n: number): void {
    this.update(this.#done + n);
  }
  done(end?: ProgressEnd): Promise<number> {
    return Promise.resolve(this.progress.done(end));
  }
}

/**
 * Progress for a long cell: a display updated in place in Jupyter (or on the given sink), lib/cli's
 * terminal/CI progress elsewhere.
 *
 * @example
 * ```ts
 * const progress = notebookProgress({ label: "epochs", total: 120, unit: "epochs" });
 * progress.add(1);
 * await progress.done();
 * ```
 */
export function notebookProgress(opts: NotebookProgressOptions): ProgressReporter {
  if (opts.sink || isJupyter()) return new DisplayProgress({ ...opts, sink: opts.sink ?? jupyterSink() });
  return new CliProgress(
    new Progress({ label: opts.label, total: opts.total, unit: opts.unit ?? "rows", ...opts.cli }),
  );
}

/** Options of {@linkcode trainingProgress}. */
export interface TrainingProgressOptions extends Omit<NotebookProgressOptions, "total"> {
  /** The training's settings: members trained one after the other, most epochs each, early-stopping patience. */
  hyperparameters: { members: number; epochs: number; patience: number };
  /** What the members are called (default "networks"). */
  members?: string;
  /** What early stopping watches (default "validation ROC AUC"). */
  metric?: string;
}

/** Progress of a training counted in epochs of each member; see {@linkcode trainingProgress}. */
export interface TrainingProgress extends ProgressReporter {
  /** Counts one epoch of a member (`member` from 1, as trainModel's `onEpoch` gives it). */
  epoch(log: { member: number }): void;
  /** Epochs run per member so far (index 0 is member 1). */
  readonly epochs: readonly number[];
}

/**
 * The final state of a training: all epochs run (`{}`), members stopped early (when and why), or no epoch at all
 * (`skipped`).
 *
 * @example
 * ```ts
 * trainingEnd([12, 11, 60], { members: 3, epochs: 60, patience: 8 }).stoppedEarly;
 * // "networks 1 and 2 after 12 and 11 epochs (of 60 each): no better validation ROC AUC for 8 epochs"
 * ```
 */
export function trainingEnd(
  perMember: readonly number[],
  hp: { members: number; epochs: number; patience: number },
  opts: { unit?: string; members?: string; metric?: string } = {},
): ProgressEnd {
  const unit = opts.unit ?? "epochs";
  const noun = opts.members ?? "networks";
  const metric = opts.metric ?? "validation ROC AUC";
  const counts = Array.from({ length: hp.members }, (_, i) => perMember[i] ?? 0);
  if (counts.every((c) => c === 0)) return { skipped: `no ${unit} ran` };
  const stopped = counts.map((c, i) => ({ member: i + 1, count: c })).filter((m) => m.count < hp.epochs);
  if (stopped.length === 0) return {};
  const why = `no better ${metric} for ${hp.patience} ${unit}`;
  if (hp.members === 1) return { stoppedEarly: why };
  const list = (xs: (string | number)[]) =>
    xs.length === 1 ? `${xs[0]}` : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
  const who = stopped.length === hp.members
    ? `each of the ${hp.members} ${noun} after ${list(stopped.map((m) => m.count))} ${unit}`
    : `${noun} ${list(stopped.map((m) => m.member))} after ${list(stopped.map((m) => m.count))} ${unit}`;
  return { stoppedEarly: `${who} (of ${hp.epochs} each): ${why}` };
}

/**
 * Progress of a training (trainModel's `onEpoch`): the bar counts epochs against the most the members may run,
 * and the final line says honestly how it ended ({@linkcode trainingEnd}): "training: stopped early after 34 of
 * at most 180 epochs: each of the 3 networks after 12, 11 and 11 epochs (of 60 each): no better validation ROC
 * AUC for 8 epochs".
 *
 * @example
 * ```ts
 * const progress = trainingProgress({ label: "training", hyperparameters: defaultHyperparameters("mlp") });
 * await trainModel({ ...options, onEpoch: (e) => progress.epoch(e) });
 * await progress.done();
 * ```
 */
export function trainingProgress(opts: TrainingProgressOptions): TrainingProgress {
  const hp = opts.hyperparameters;
  for (const key of ["members", "epochs"] as const) {
    if (!Number.isInteger(hp[key]) || hp[key] < 1) {
      throw new Error(`Training progress: hyperparameter "${key}" is ${hp[key]}; expected a whole number >= 1`);
    }
  }
  const unit = opts.unit ?? "epochs";
  const inner = notebookProgress({ ...opts, unit, total: hp.members * hp.epochs });
  const perMember: number[] = [];
  return {
    get epochs() {
      return perMember;
    },
    epoch(log) {
      const i = log.member - 1;
      if (!Number.isInteger(i) || i < 0) throw new Error(`Training progress: member ${log.member}; expected >= 1`);
      perMember[i] = (perMember[i] ?? 0) + 1;
      inner.add(1);
    },
    update: (done) => inner.update(done),
    add: (n) => inner.add(n),
    done: (end) => inner.done(end ?? trainingEnd(perMember, hp, { unit, members: opts.members, metric: opts.metric })),
  };
}
