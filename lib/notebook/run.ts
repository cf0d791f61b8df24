/**
 * Executes a notebook headlessly with Jupyter's nbconvert (`jupyter nbconvert --to html --execute`, the kernel
 * named in the notebook, Deno's for ours) and writes `<outDir>/<name>.html` whole or not at all (rendered into a
 * temporary folder beside it, then renamed). Settings reach the kernel as environment variables. nbconvert's log
 * is followed as it runs (which cell is executing) and, when a cell fails, parsed into a {@linkcode CellFailure}
 * naming the cell (its number in the file, its first line) and Deno's error; timeouts and a dead kernel are named
 * the same way.
 *
 * @example
 * ```ts
 * import { runNotebook } from "./run.ts";
 * const result = await runNotebook({ notebook: "notebooks/eda.ipynb", outDir: "reports", env: { NOTEBOOK_ROWS: "2000" } });
 * console.log(result.html, result.seconds);
 * ```
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cellSource, type Notebook, readNotebook } from "./ipynb.ts";

/** Why a notebook run failed, as far as a cell is concerned. */
export interface CellFailure {
  kind: "error" | "timeout" | "dead_kernel";
  /** 1-based position of the cell in the notebook file (markdown cells counted), when known. */
  cell: number | null;
  /** 1-based number among code cells (the execution count Jupyter shows), when known. */
  codeCell: number | null;
  /** First non-empty line of the cell's source, when known. */
  firstLine: string | null;
  /** The error as the kernel reported it (name, message, stack), or what happened. */
  message: string;
}

/** A notebook that did not run through. */
export class NotebookError extends Error {
  /**
   * @param notebook Path of the notebook.
   * @param failure The failing cell, when one is to blame.
   * @param detail The end of nbconvert's log (when no cell is to blame).
   */
  constructor(readonly notebook: string, readonly failure: CellFailure | null, readonly detail = "") {
    super(describeFailure(notebook, failure, detail));
    this.name = "NotebookError";
  }
}

function describeFailure(notebook: string, f: CellFailure | null, detail: string): string {
  if (!f) return `Notebook "${notebook}" failed: ${detail.trim() || "nbconvert exited with an error"}`;
  const where = f.cell === null
    ? "a cell"
    : `cell ${f.cell}${f.codeCell === null ? "" : ` (code cell ${f.codeCell})`}${
      f.firstLine ? ` "${f.firstLine.length > 70 ? `${f.firstLine.slice(0, 69)}…` : f.firstLine}"` : ""
    }`;
  const what = f.kind === "timeout" ? "timed out in" : f.kind === "dead_kernel" ? "lost its kernel in" : "failed in";
  return `Notebook "${notebook}" ${what} ${where}:\n${indent(f.message)}`;
}

function indent(text: string): string {
  return text.trim().split("\n").map((l) => `  ${l}`).join("\n");
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/**
 * Removes terminal color codes.
 *
 * @example
 * ```ts
 * stripAnsi("\x1b[31mError\x1b[0m"); // "Error"
 * ```
 */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

const normalize = (s: string) => s.replace(/\r\n/g, "\n").trim();

/**
 * The 0-based index of the code cell whose source is `source` (compared without surrounding blank space), or of
 * the first code cell starting with it when `prefix` is set; -1 when none matches.
 *
 * @example
 * ```ts
 * locateCell(nb, 'throw new Error("boom")'); // 3
 * ```
 */
export function locateCell(nb: Notebook, source: string, opts: { prefix?: boolean } = {}): number {
  const wanted = normalize(source);
  if (!wanted) return -1;
  const code = nb.cells.map((c, i) => [c, i] as const).filter(([c]) => c.cell_type === "code");
  for (const [c, i] of code) if (normalize(cellSource(c)) === wanted) return i;
  if (opts.prefix) { for (const [c, i] of code) if (normalize(cellSource(c)).startsWith(wanted)) return i; }
  return -1;
}

function failureAt(nb: Notebook, index: number, kind: CellFailure["kind"], message: string): CellFailure {
  if (index < 0) return { kind, cell: null, codeCell: null, firstLine: null, message };
  const source = cellSource(nb.cells[index]);
  return {
    kind,
    cell: index + 1,
    codeCell: nb.cells.slice(0, index + 1).filter((c) => c.cell_type === "code").length,
    firstLine: source.split("\n").map((l) => l.trim()).find((l) => l.length > 0) ?? null,
    message,
  };
}

const EXECUTION_ERROR = "CellExecutionError: An error occurred while executing the following cell:\n";
const RULE = "------------------";

/**
 * Reads nbconvert's log of a failed run: a cell that raised (nbclient's `CellExecutionError`, whose message holds
 * the cell's source and the kernel's error), a cell that timed out (`CellTimeoutError`, with a preview of the
 * source), or a kernel that died (`DeadKernelError`; the cell is `lastCell`, the last one the log showed
 * starting). Returns null when the log shows no cell failure.
 *
 * @example
 * ```ts
 * const f = parseNbconvertFailure(stderr, nb);
 * f?.cell; // 4
 * ```
 */
export function parseNbconvertFailure(log: string, nb: Notebook, lastCell = -1): CellFailure | null {
  const text = stripAnsi(log).replace(/\r\n/g, "\n");
  const at = text.lastIndexOf(EXECUTION_ERROR);
  if (at >= 0) {
    let rest = text.slice(at + EXECUTION_ERROR.length);
    if (rest.startsWith(RULE + "\n")) rest = rest.slice(RULE.length + 1);
    const end = rest.indexOf(`\n${RULE}\n`);
    const source = end >= 0 ? rest.slice(0, end) : "";
    const error = (end >= 0 ? rest.slice(end + RULE.length + 2) : rest).trim();
    // nbclient prints the traceback, then the error line again: keep the traceback
    const lines = error.split("\n");
    const dedup = lines.length > 1 && lines[lines.length - 1] === lines[0] ? lines.slice(0, -1) : lines;
    const index = locateCell(nb, source);
    return failureAt(nb, index >= 0 ? index : lastCell, "error", dedup.join("\n").trim() || "the cell raised an error");
  }
  const timeout =
    /CellTimeoutError: A cell timed out while it was being executed, after (\d+) seconds\.[\s\S]*?-{10,}\n([\s\S]*?)\n-{10,}/
      .exec(text);
  if (timeout) {
    const index = locateCell(nb, timeout[2], { prefix: true });
    return failureAt(
      nb,
      index >= 0 ? index : lastCell,
      "timeout",
      `the cell ran longer than ${timeout[1]} s (raise it with --timeout)`,
    );
  }
  if (/DeadKernelError: Kernel died/.test(text)) {
    return failureAt(nb, lastCell, "dead_kernel", "the kernel died (Deno.exit, out of memory or a crash)");
  }
  return null;
}

/**
 * Follows nbconvert's DEBUG log line by line: reports each cell as it starts (`Executing cell:` then its source)
 * and keeps the log's tail for {@linkcode parseNbconvertFailure}.
 */
export class NbconvertLog {
  /** 0-based index of the last cell seen starting (-1 before the first). */
  current = -1;
  #source: string[] | null = null;
  #tail: string[] = [];
  #tailChars = 0;

  /**
   * @param nb The notebook being run.
   * @param onCell Called when a cell starts (0-based index in the notebook, or -1 when not found).
   * @param maxTailChars Log kept for error parsing (default 256 KiB).
   */
  constructor(
    readonly nb: Notebook,
    readonly onCell: (index: number) => void = () => {},
    readonly maxTailChars = 256 * 1024,
  ) {}

  /** Feeds one line of the log (without its newline). */
  line(line: string): void {
    if (this.#source) {
      if (line.startsWith("[NbConvertApp]")) {
        this.current = locateCell(this.nb, this.#source.join("\n"));
        this.#source = null;
        this.onCell(this.current);
      } else this.#source.push(line);
    }
    if (line.endsWith("] Executing cell:")) this.#source = [];
    // message contents (big SVGs) are not kept
    if (line.startsWith("[NbConvertApp] content:") || line.startsWith("[NbConvertApp] msg_type:")) return;
    this.#tail.push(line);
    this.#tailChars += line.length + 1;
    while (this.#tailChars > this.maxTailChars && this.#tail.length > 1) {
      this.#tailChars -= this.#tail.shift()!.length + 1;
    }
  }

  /** The kept end of the log. */
  get text(): string {
    return this.#tail.join("\n");
  }
}

/** Folder of the report's nbconvert template (`report/`: index.html.j2 and report.css). */
const REPORT_TEMPLATE_DIR: string = fileURLToPath(new URL("./nbconvert/", import.meta.url));

/**
 * nbconvert's flags for the report template: JupyterLab's cell markup, our small stylesheet inlined, and no
 * RequireJS, MathJax, theme CSS or any other script or file loaded from elsewhere.
 */
const REPORT_TEMPLATE_ARGS: readonly string[] = [
  `--TemplateExporter.extra_template_basedirs=${REPORT_TEMPLATE_DIR}`,
  "--template",
  "report",
];

/** Options of {@linkcode runNotebook}. */
export interface RunNotebookOptions {
  /** The notebook file. */
  notebook: string;
  /** Folder of the HTML report (created when missing). */
  outDir: string;
  /** Extra environment for the kernel (settings such as NOTEBOOK_ROWS). */
  env?: Record<string, string>;
  /** Seconds a cell may run (default 900). */
  timeoutSeconds?: number;
  /** The Jupyter command (default "jupyter"). */
  jupyter?: string;
  /** Called when a cell starts: its 0-based index and the number of code cells before it. */
  onCell?: (index: number, codeCell: number, codeCells: number) => void;
}

/** What a run produced. */
export interface NotebookRun {
  notebook: string;
  /** Path of the HTML report. */
  html: string;
  seconds: number;
  codeCells: number;
}

/**
 * Executes the notebook and writes its HTML report; throws {@linkcode NotebookError} naming the cell that failed
 * (no report is written then).
 *
 * @example
 * ```ts
 * await runNotebook({ notebook: "notebooks/modeling.ipynb", outDir: "reports", timeoutSeconds: 600 });
 * ```
 */
export async function runNotebook(opts: RunNotebookOptions): Promise<NotebookRun> {
  const nb = await readNotebook(opts.notebook);
  const name = basename(opts.notebook).replace(/\.ipynb$/, "");
  const codeCells = nb.cells.filter((c) => c.cell_type === "code").length;
  const outDir = resolve(opts.outDir);
  await Deno.mkdir(outDir, { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: outDir, prefix: `.${name}-` });
  const started = performance.now();
  try {
    const log = new NbconvertLog(nb, (index) => {
      const code = index < 0 ? -1 : nb.cells.slice(0, index + 1).filter((c) => c.cell_type === "code").length;
      opts.onCell?.(index, code, codeCells);
    });
    const args = [
      "nbconvert",
      "--to",
      "html",
      ...REPORT_TEMPLATE_ARGS,
      "--execute",
      `--ExecutePreprocessor.timeout=${opts.timeoutSeconds ?? 900}`,
      "--log-level=DEBUG",
      "--output-dir",
      tmp,
      "--output",
      name,
      resolve(opts.notebook),
    ];
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(opts.jupyter ?? "jupyter", {
        args,
        cwd: dirname(resolve(opts.notebook)),
        env: { PYDEVD_DISABLE_FILE_VALIDATION: "1", ...(opts.env ?? {}) },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new Error(
          `Jupyter ("${opts.jupyter ?? "jupyter"}") is not installed: apt-get install jupyter-nbconvert ` +
            "python3-nbclient jupyter-client python3-ipykernel, then deno jupyter --install",
        );
      }
      throw err;
    }
    const drain = async (stream: ReadableStream<Uint8Array>, each: (line: string) => void) => {
      let rest = "";
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        rest += chunk;
        let nl: number;
        while ((nl = rest.indexOf("\n")) >= 0) {
          each(rest.slice(0, nl));
          rest = rest.slice(nl + 1);
        }
      }
      if (rest) each(rest);
    };
    const [status] = await Promise.all([
      child.status,
      drain(child.stderr, (l) => log.line(l)),
      drain(child.stdout, (l) => log.line(l)),
    ]);
    if (!status.success) {
      const text = log.text;
      if (/NoSuchKernel: No such kernel named (\S+)/.test(text)) {
        const kernel = /NoSuchKernel: No such kernel named (\S+)/.exec(text)![1];
        throw new NotebookError(
          opts.notebook,
          null,
          `Jupyter has no kernel "${kernel}"${kernel === "deno" ? "; run deno jupyter --install" : ""}`,
        );
      }
      const failure = parseNbconvertFailure(text, nb, log.current);
      const tail = text.split("\n").filter((l) => !l.startsWith("[NbConvertApp]") && l.trim()).slice(-15).join("\n");
      throw new NotebookError(opts.notebook, failure, tail);
    }
    const html = join(outDir, `${name}.html`);
    await Deno.rename(join(tmp, `${name}.html`), html);
    return { notebook: opts.notebook, html, seconds: (performance.now() - started) / 1000, codeCells };
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/** Notebooks run first, in this order (later ones may build on what earlier ones show); the rest follow by name. */
export const NOTEBOOK_ORDER = ["eda", "modeling", "monitoring"];

/**
 * The notebooks (`*.ipynb`) of a folder in run order ({@linkcode NOTEBOOK_ORDER}, then by name); `only` keeps the
 * named ones (with or without `.ipynb`), an unknown name is an error listing the notebooks.
 *
 * @example
 * ```ts
 * await listNotebooks("notebooks"); // ["notebooks/eda.ipynb", "notebooks/modeling.ipynb"]
 * ```
 */
export async function listNotebooks(dir: string, opts: { only?: string[] } = {}): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".ipynb") && !e.name.startsWith(".")) names.push(e.name.slice(0, -6));
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new Error(`Notebook folder "${dir}" does not exist`);
    throw err;
  }
  const rank = (n: string) => {
    const i = NOTEBOOK_ORDER.indexOf(n);
    return i < 0 ? NOTEBOOK_ORDER.length : i;
  };
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  let picked = names;
  if (opts.only?.length) {
    const wanted = opts.only.map((n) => n.trim().replace(/\.ipynb$/, "")).filter(Boolean);
    const unknown = wanted.filter((n) => !names.includes(n));
    if (unknown.length) {
      throw new Error(`No notebook "${unknown[0]}" in "${dir}"; notebooks: ${names.join(", ") || "none"}`);
    }
    picked = names.filter((n) => wanted.includes(n));
  }
  return picked.map((n) => join(dir, `${n}.ipynb`));
}

/** Whether Jupyter can run Deno notebooks here. */
export interface JupyterStatus {
  available: boolean;
  /** What is missing, with the command that installs it. */
  reason?: string;
}

/**
 * Checks that `jupyter nbconvert` exists and a `deno` kernel is registered (`jupyter kernelspec list`).
 *
 * @example
 * ```ts
 * const status = await jupyterStatus();
 * if (!status.available) console.warn(status.reason);
 * ```
 */
export async function jupyterStatus(jupyter = "jupyter"): Promise<JupyterStatus> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(jupyter, {
      args: ["kernelspec", "list", "--json"],
      stdout: "piped",
      stderr: "piped",
      env: { PYDEVD_DISABLE_FILE_VALIDATION: "1" },
    }).output();
  } catch {
    return {
      available: false,
      reason: `"${jupyter}" is not installed (apt-get install jupyter-nbconvert python3-nbclient jupyter-client ` +
        "python3-ipykernel)",
    };
  }
  if (!out.success) return { available: false, reason: `"${jupyter} kernelspec list" failed` };
  let specs: Record<string, unknown> = {};
  try {
    specs = JSON.parse(new TextDecoder().decode(out.stdout)).kernelspecs ?? {};
  } catch { /* reported below */ }
  if (!("deno" in specs)) {
    return { available: false, reason: 'Jupyter has no "deno" kernel (run deno jupyter --install)' };
  }
  return { available: true };
}
