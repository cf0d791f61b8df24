/**
 * `deno task notebooks [--repo DIR] [--only NAME,...] [--rows N] [--data auto|generated|real] [--seed S]
 * [--data-dir DIR] [--work-dir DIR] [--timeout SECONDS] [--out DIR] [--dir DIR] [--clear] [--check]`: executes every
 * notebook in `notebooks/` headlessly (Jupyter's nbconvert with the Deno kernel) and writes `reports/<name>.html`; a
 * failing cell fails the task, naming the notebook and the cell. Each report must open anywhere
 * (lib/notebook/report_check.ts): no `file://` or other external reference, no script, at most `MAX_REPORT_BYTES`
 * (1 MB), no epoch-millisecond time in a table; a report that fails these checks fails the task (after the other
 * notebooks ran), naming the notebook and what was found. Settings reach the notebooks as `NOTEBOOK_*` environment
 * variables (see lib/notebook/settings.ts). `--repo DIR` (else `FEATURE_REPO`, else the working folder when it holds a
 * repo) runs them on a feature repo of the user's (`NOTEBOOK_REPO`, checked here before any notebook starts); without
 * one they run on the credit tutorial, whose `--data`, `--rows` and `--data-dir` do not apply to a repo. `--clear`
 * removes outputs from the stored notebooks instead; `--check` fails when a stored notebook holds outputs.
 *
 * @example
 * ```sh
 * deno task notebooks                       # all notebooks, generated data (or the real files when present)
 * deno task notebooks --only eda --rows 5000 --data generated
 * deno task notebooks --repo ../claims       # the three notebooks on your own feature repo
 * ```
 * @module
 */
import { choiceFlag, intFlag, parseTaskArgs, runTask, UsageError } from "../lib/cli/mod.ts";
import { formatDuration } from "../lib/cli/progress.ts";
import { cellsWithOutputs, clearNotebookFile, readNotebook } from "../lib/notebook/ipynb.ts";
import { checkReport, describeFindings } from "../lib/notebook/report_check.ts";
import { listNotebooks, NotebookError, runNotebook } from "../lib/notebook/run.ts";
import { NOTEBOOK_DEFAULTS, NOTEBOOK_ENV } from "../lib/notebook/settings.ts";
import { openRepo, resolveRepoDir } from "../lib/repo/load.ts";

/** Usage line of the task. */
export const USAGE = "deno task notebooks [--repo DIR] [--only NAME,...] [--rows N] [--data auto|generated|real] " +
  "[--seed S] [--data-dir DIR] [--work-dir DIR] [--timeout SECONDS] [--out DIR] [--dir DIR] [--clear] [--check]";

/** The task's parsed options. */
export interface NotebooksArgs {
  /** `--repo` as given (resolved by {@linkcode main}). */
  repo?: string;
  only: string[];
  env: Record<string, string>;
  timeout: number;
  out: string;
  dir: string;
  clear: boolean;
  check: boolean;
  help: boolean;
}

/**
 * Parses the arguments; settings become the notebooks' environment.
 *
 * @example
 * ```ts
 * parseNotebooksArgs(["--rows", "2000", "--data", "generated"]).env; // { NOTEBOOK_ROWS: "2000", NOTEBOOK_DATA: "generated", ... }
 * ```
 */
export function parseNotebooksArgs(args: string[]): NotebooksArgs {
  const { values } = parseTaskArgs(args, {
    usage: USAGE,
    options: {
      only: { type: "string" },
      rows: { type: "string" },
      data: { type: "string" },
      seed: { type: "string" },
      "data-dir": { type: "string" },
      "work-dir": { type: "string" },
      repo: { type: "string" },
      timeout: { type: "string" },
      out: { type: "string", default: "reports" },
      dir: { type: "string", default: "notebooks" },
      clear: { type: "boolean" },
      check: { type: "boolean" },
    },
  });
  const env: Record<string, string> = {};
  const data = values.data === undefined
    ? undefined
    : choiceFlag(values, "data", ["auto", "generated", "real"], { usage: USAGE });
  if (data) env[NOTEBOOK_ENV.data] = data;
  if (values.rows !== undefined) env[NOTEBOOK_ENV.rows] = String(intFlag(values, "rows", { min: 100 }));
  if (values.seed !== undefined) env[NOTEBOOK_ENV.seed] = String(intFlag(values, "seed", { min: 0 }));
  if (values["data-dir"] !== undefined) env[NOTEBOOK_ENV.dataDir] = String(values["data-dir"]);
  if (values["work-dir"] !== undefined) env[NOTEBOOK_ENV.workDir] = String(values["work-dir"]);
  if (values.repo !== undefined) {
    if (String(values.repo).trim() === "") throw new UsageError(`Flag "--repo" is empty; expected a folder`, USAGE);
    const credit = ["data", "rows", "data-dir"].filter((f) => values[f] !== undefined);
    if (credit.length) {
      throw new UsageError(
        `${
          credit.map((f) => `"--${f}"`).join(", ")
        } choose the credit tutorial's data; they do not apply with "--repo"`,
        USAGE,
      );
    }
  }
  if (values.clear && values.check) throw new UsageError(`Give "--clear" or "--check", not both`, USAGE);
  return {
    repo: values.repo === undefined ? undefined : String(values.repo),
    only: values.only === undefined ? [] : String(values.only).split(",").filter((s) => s.trim()),
    env,
    timeout: intFlag(values, "timeout", { min: 1, fallback: 900 }),
    out: String(values.out),
    dir: String(values.dir),
    clear: Boolean(values.clear),
    check: Boolean(values.check),
    help: Boolean(values.help),
  };
}

/** What {@linkcode main} did per notebook. */
export interface NotebookOutcome {
  notebook: string;
  ok: boolean;
  seconds: number;
  html?: string;
  /** The failure as printed (notebook, cell, the kernel's error). */
  error?: string;
  /**
   * The notebook and failing cell, e.g. `notebooks/eda.ipynb (cell 7)`, or the report's failed checks, e.g.
   * `notebooks/eda.ipynb (Report "reports/eda.html" fails its checks: too big: 1.05 MB (over 1 MB))`.
   */
  where?: string;
}

/**
 * The task's body: runs (or clears, or checks) the notebooks; throws when any fails, after running the rest.
 *
 * @example
 * ```ts
 * await main(["--only", "eda", "--rows", "2000"]);
 * ```
 */
export async function main(args: string[], out: (line: string) => void = console.log): Promise<NotebookOutcome[]> {
  const parsed = parseNotebooksArgs(args);
  if (parsed.help) {
    out(`usage: ${USAGE}`);
    return [];
  }
  const notebooks = await listNotebooks(parsed.dir, { only: parsed.only });
  if (notebooks.length === 0) throw new Error(`No notebooks in "${parsed.dir}"`);
  if (parsed.clear) {
    for (const nb of notebooks) {
      const cleared = await clearNotebookFile(nb);
      out(`${nb}: ${cleared ? `outputs cleared in ${cleared} cells` : "clean"}`);
    }
    return notebooks.map((notebook) => ({ notebook, ok: true, seconds: 0 }));
  }
  if (parsed.check) {
    const dirty: string[] = [];
    for (const nb of notebooks) {
      const cells = cellsWithOutputs(await readNotebook(nb));
      if (cells.length) dirty.push(`${nb} (cells ${cells.map((i) => i + 1).join(", ")})`);
    }
    if (dirty.length) {
      throw new Error(`Stored notebooks hold outputs: ${dirty.join("; ")}; run "deno task notebooks --clear"`);
    }
    out(`${notebooks.length} notebooks without outputs`);
    return notebooks.map((notebook) => ({ notebook, ok: true, seconds: 0 }));
  }
  const repoDir = await resolveRepoDir({ flag: parsed.repo });
  if (repoDir !== null) {
    const opened = await openRepo({ dir: repoDir }); // a broken repo fails here, not in every notebook
    parsed.env[NOTEBOOK_ENV.repo] = opened.dir;
    out(`Feature repo ${opened.dir}: model "${opened.model.name}", label "${opened.model.label}"`);
  }
  const settings = Object.entries(parsed.env).map(([k, v]) => `${k}=${v}`).join(" ") ||
    `defaults (${NOTEBOOK_ENV.data}=${NOTEBOOK_DEFAULTS.data}, ${NOTEBOOK_ENV.rows}=${NOTEBOOK_DEFAULTS.rows})`;
  out(`Running ${notebooks.length} notebooks with ${settings}`);
  const tty = (() => {
    try {
      return Deno.stderr.isTerminal() && Deno.env.get("CI") !== "true";
    } catch {
      return false;
    }
  })();
  const encoder = new TextEncoder();
  const outcomes: NotebookOutcome[] = [];
  for (const notebook of notebooks) {
    const started = performance.now();
    try {
      const run = await runNotebook({
        notebook,
        outDir: parsed.out,
        env: parsed.env,
        timeoutSeconds: parsed.timeout,
        onCell: tty
          ? (_, code, total) =>
            Deno.stderr.writeSync(encoder.encode(
              `\r\x1b[2K${notebook}: code cell ${code}/${total}, ${
                formatDuration((performance.now() - started) / 1000)
              }`,
            ))
          : undefined,
      });
      if (tty) Deno.stderr.writeSync(encoder.encode("\r\x1b[2K"));
      const html = await Deno.readTextFile(run.html);
      const kb = Math.round(new TextEncoder().encode(html).length / 1000);
      out(`${notebook}: ${run.codeCells} code cells in ${run.seconds.toFixed(1)} s -> ${run.html} (${kb} kB)`);
      const findings = checkReport(html);
      if (findings.length) {
        const error = describeFindings(run.html, findings);
        out(`${notebook}: FAILED its report checks\n${error}`);
        outcomes.push({
          notebook,
          ok: false,
          seconds: run.seconds,
          html: run.html,
          error,
          where: `${notebook} (${error})`,
        });
      } else outcomes.push({ notebook, ok: true, seconds: run.seconds, html: run.html });
    } catch (err) {
      if (tty) Deno.stderr.writeSync(encoder.encode("\r\x1b[2K"));
      if (!(err instanceof NotebookError)) throw err;
      const seconds = (performance.now() - started) / 1000;
      out(`${notebook}: FAILED after ${seconds.toFixed(1)} s\n${err.message}`);
      const where = err.failure?.cell ? `${notebook} (cell ${err.failure.cell})` : notebook;
      outcomes.push({ notebook, ok: false, seconds, error: err.message, where });
    }
  }
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length) {
    throw new Error(
      `${failed.length} of ${outcomes.length} notebooks failed: ${failed.map((f) => f.where).join(", ")}`,
    );
  }
  return outcomes;
}

if (import.meta.main) await runTask(async () => void (await main(Deno.args)));
