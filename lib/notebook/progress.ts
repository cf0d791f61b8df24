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
import { Progress, type ProgressOptions } from "../cli/progress.ts";
import { type DisplaySink, escapeHtml, isJupyter, jupyterSink } from "./display.ts";

/** What lib functions that report progress accept: a count to update and an end. */
export interface ProgressReporter {
  /** Sets the count done so far. */
  update(done: number): void;
  /** Adds `n` to the count. */
  add(n: number): void;
  /** Draws the final state; resolves (with the elapsed seconds) once it is shown. */
  done(): Promise<number>;
}

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
    this.#draw(false);
  }

  /** The display id the updates go to. */
  get displayId(): string {
    return this.#id;
  }

  /** @inheritdoc */
  update(done: number): void {
    this.#done = done;
    this.#line.update(done);
    if (this.#now() - this.#lastDraw >= this.#intervalMs) this.#draw(false);
  }

  /** @inheritdoc */
  add(n: number): void {
    this.update(this.#done + n);
  }

  /** @inheritdoc */
  async done(): Promise<number> {
    const seconds = this.#line.done();
    this.#draw(true, seconds);
    await this.#chain;
    if (this.#error) throw this.#error;
    return seconds;
  }

  /** The HTML of the current state (a bar when the total is known, then the text line). */
  html(final = false, seconds?: number): string {
    const text = final ? this.#finalText(seconds ?? 0) : this.#line.line();
    const share = this.#total ? Math.min(1, this.#done / this.#total) : null;
    const bar = share === null ? "" : `<div style="width:240px;height:8px;background:#eee;border-radius:4px;` +
      `display:inline-block;vertical-align:middle;margin-right:8px"><div style="width:${
        (share * 100).toFixed(1)
      }%;height:8px;background:${final ? "#54a24b" : "#4c78a8"};border-radius:4px"></div></div>`;
    return `<div class="nb-progress" style="font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px">` +
      `${bar}<span>${escapeHtml(text)}</span></div>`;
  }

  #finalText(seconds: number): string {
    // the final line: count, elapsed and mean rate (no time left)
    const line = this.#line.line(this.#now());
    return `${line.replace(/, [^,]* left$/, "").replace(/, [^,]* elapsed$/, "")}, done in ${seconds.toFixed(1)} s`;
  }

  #draw(final: boolean, seconds?: number): void {
    this.#lastDraw = this.#now();
    const bundle = {
      "text/html": this.html(final, seconds),
      "text/plain": final ? this.#finalText(seconds ?? 0) : this.#line.line(),
    };
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
  done(): Promise<number> {
    return Promise.resolve(this.progress.done());
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
