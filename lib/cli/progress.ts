/**
 * Progress for long jobs: rows done, rate and time left, redrawn in place on a terminal; on a pipe or in CI
 * (`CI=true`) a quiet line every 25% at most, or nothing when `quiet` is set.
 *
 * @example
 * ```ts
 * import { Progress } from "./progress.ts";
 * const progress = new Progress({ label: "loans", total: 1_000_000 });
 * for (let done = 0; done < 1_000_000; done += 100_000) progress.update(done + 100_000);
 * progress.done();
 * ```
 * @module
 */

/** Where progress goes and how it is drawn. */
export interface ProgressOptions {
  /** What is being counted ("rows", "loans"). */
  label: string;
  /** Expected total, when known; enables the percentage and time left. */
  total?: number;
  /** Unit printed after counts (default "rows"). */
  unit?: string;
  /** Force the mode; default: "tty" when stderr is a terminal and CI is not "true", else "lines". */
  mode?: "tty" | "lines" | "silent";
  /** Minimum milliseconds between redraws on a terminal (default 200). */
  intervalMs?: number;
  /** Sink for lines (default: stderr). */
  write?: (text: string) => void;
  /** Clock in ms (tests). */
  now?: () => number;
}

/**
 * How a job ended, for its final line. By default a count short of the total ends as "ended at 51 of 180 epochs
 * (28%)", never as if all were done.
 */
export interface ProgressEnd {
  /**
   * The job stopped before the total on purpose (early stopping), for this reason, e.g. "no better validation
   * AUC for 8 epochs": the final line says "stopped early after 51 of at most 180 epochs: <reason>".
   */
  stoppedEarly?: string;
  /** Nothing had to be done, for this reason (e.g. "no epochs ran"): the final line says so instead of a count. */
  skipped?: string;
}

/** A progress reporter; see the module doc. */
export class Progress {
  readonly #opts: Required<Omit<ProgressOptions, "total">> & { total?: number };
  readonly #start: number;
  #lastDraw = -Infinity;
  #lastQuarter = 0;
  #done = 0;

  /** @param opts See {@link ProgressOptions}. */
  constructor(opts: ProgressOptions) {
    const encoder = new TextEncoder();
    this.#opts = {
      unit: "rows",
      mode: defaultMode(),
      intervalMs: 200,
      write: (text) => Deno.stderr.writeSync(encoder.encode(text)),
      now: () => performance.now(),
      ...opts,
    };
    this.#start = this.#opts.now();
  }

  /** Sets the count of units done so far. */
  update(done: number): void {
    this.#done = done;
    const { mode, total } = this.#opts;
    const now = this.#opts.now();
    if (mode === "tty") {
      if (now - this.#lastDraw < this.#opts.intervalMs) return;
      this.#lastDraw = now;
      this.#opts.write(`\r\x1b[2K${this.line(now)}`);
    } else if (mode === "lines" && total) {
      const quarter = Math.floor((4 * done) / total);
      if (quarter > this.#lastQuarter && quarter < 4) {
        this.#lastQuarter = quarter;
        this.#opts.write(`${this.line(now)}\n`);
      }
    }
  }

  /** Adds `n` units. */
  add(n: number): void {
    this.update(this.#done + n);
  }

  /**
   * Finishes: prints the final line ({@linkcode Progress.finalLine}: count, how it ended, mean rate, time taken)
   * and returns the elapsed seconds.
   */
  done(end: ProgressEnd = {}): number {
    const now = this.#opts.now();
    const seconds = (now - this.#start) / 1000;
    if (this.#opts.mode === "tty") this.#opts.write(`\r\x1b[2K${this.finalLine(end, now)}\n`);
    else if (this.#opts.mode === "lines" && this.#opts.total) this.#opts.write(`${this.finalLine(end, now)}\n`);
    return seconds;
  }

  /**
   * The final line at time `now`: "epochs: 180 / 180 epochs (100%), 24/s, done in 7.5s" when the count reached the
   * total (or there is none); "ended at 51 of 180 epochs (28%)" when it fell short; "stopped early after 51 of at most
   * 180 epochs: <reason>" when {@linkcode ProgressEnd.stoppedEarly} says why.
   */
  finalLine(end: ProgressEnd = {}, now = this.#opts.now()): string {
    const { label, unit, total } = this.#opts;
    const done = this.#done;
    const seconds = Math.max((now - this.#start) / 1000, 1e-9);
    const percent = total ? ` (${((100 * done) / total).toFixed(0)}%)` : "";
    let text: string;
    if (end.skipped !== undefined && done === 0) return `${label}: ${end.skipped.trim() || "skipped"}`;
    if (end.stoppedEarly !== undefined) {
      const reason = end.stoppedEarly.trim();
      text = `${label}: stopped early after ${formatCount(done)}${total ? ` of at most ${formatCount(total)}` : ""} ` +
        `${unit}${reason ? `: ${reason}` : ""}`;
    } else if (total && done < total) {
      text = `${label}: ended at ${formatCount(done)} of ${formatCount(total)} ${unit}${percent}`;
    } else if (total) text = `${label}: ${formatCount(done)} / ${formatCount(total)} ${unit}${percent}`;
    else text = `${label}: ${formatCount(done)} ${unit}`;
    return `${text}, ${formatCount(done / seconds)}/s, done in ${formatDuration(seconds)}`;
  }

  /** The text of the progress line at time `now`. */
  line(now = this.#opts.now()): string {
    const { label, unit, total } = this.#opts;
    const seconds = Math.max((now - this.#start) / 1000, 1e-9);
    const rate = this.#done / seconds;
    let text = `${label}: ${formatCount(this.#done)}`;
    if (total) text += ` / ${formatCount(total)} ${unit} (${((100 * this.#done) / total).toFixed(0)}%)`;
    else text += ` ${unit}`;
    text += `, ${formatCount(rate)}/s, ${formatDuration(seconds)} elapsed`;
    if (total && rate > 0 && this.#done < total) text += `, ${formatDuration((total - this.#done) / rate)} left`;
    return text;
  }
}

function defaultMode(): "tty" | "lines" {
  let tty = false;
  try {
    tty = Deno.stderr.isTerminal();
  } catch { /* no stderr */ }
  return tty && Deno.env.get("CI") !== "true" ? "tty" : "lines";
}

/** Formats a count compactly: 950, 12.3k, 4.56M. */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return `${Math.round(n)}`;
}

/** Formats seconds as `42s`, `3m05s` or `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
