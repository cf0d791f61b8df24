/**
 * Jupyter notebook files (nbformat 4): reading, the text of a cell, and clearing outputs so that stored
 * notebooks stay free of outputs (reviewers read the rendered HTML; diffs stay small). Written back the way
 * Jupyter writes them (one-space indent, trailing newline), which `deno fmt` leaves alone apart from the code.
 *
 * @example
 * ```ts
 * import { clearOutputs, parseNotebook } from "./ipynb.ts";
 * const nb = parseNotebook(await Deno.readTextFile("notebooks/eda.ipynb"), "notebooks/eda.ipynb");
 * const { notebook, cleared } = clearOutputs(nb);
 * ```
 * @module
 */

/** One cell of a notebook. */
export interface NotebookCell {
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: number | null;
  id?: string;
  [key: string]: unknown;
}

/** A notebook file's content. */
export interface Notebook {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/**
 * Parses a notebook's JSON; errors name the file.
 *
 * @example
 * ```ts
 * parseNotebook('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "x.ipynb").cells; // []
 * ```
 */
export function parseNotebook(text: string, name: string): Notebook {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`Notebook "${name}" is not valid JSON: ${(err as Error).message}`);
  }
  const nb = doc as Notebook;
  if (!nb || typeof nb !== "object" || !Array.isArray(nb.cells)) {
    throw new Error(`Notebook "${name}" has no "cells" list`);
  }
  if (nb.nbformat !== 4) throw new Error(`Notebook "${name}" is nbformat "${nb.nbformat}"; expected 4`);
  nb.cells.forEach((c, i) => {
    if (!c || !["code", "markdown", "raw"].includes(c.cell_type)) {
      throw new Error(`Notebook "${name}" cell ${i + 1} has cell_type "${c?.cell_type}"`);
    }
  });
  return nb;
}

/**
 * Reads and parses a notebook file.
 *
 * @example
 * ```ts
 * const nb = await readNotebook("notebooks/eda.ipynb");
 * ```
 */
export async function readNotebook(path: string): Promise<Notebook> {
  return parseNotebook(await Deno.readTextFile(path), path);
}

/**
 * A cell's source as one string.
 *
 * @example
 * ```ts
 * cellSource({ cell_type: "code", source: ["a = 1\n", "a"], metadata: {} }); // "a = 1\na"
 * ```
 */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/**
 * The 0-based indices of code cells that hold outputs or an execution count.
 *
 * @example
 * ```ts
 * cellsWithOutputs(nb); // [] for a clean notebook
 * ```
 */
export function cellsWithOutputs(nb: Notebook): number[] {
  const out: number[] = [];
  nb.cells.forEach((c, i) => {
    if (c.cell_type !== "code") return;
    if ((c.outputs?.length ?? 0) > 0 || (c.execution_count ?? null) !== null) out.push(i);
  });
  return out;
}

/**
 * A copy of the notebook with every code cell's outputs and execution count cleared; `cleared` counts the cells
 * that changed.
 *
 * @example
 * ```ts
 * const { notebook, cleared } = clearOutputs(nb);
 * ```
 */
export function clearOutputs(nb: Notebook): { notebook: Notebook; cleared: number } {
  let cleared = 0;
  const cells = nb.cells.map((c) => {
    if (c.cell_type !== "code") return c;
    if ((c.outputs?.length ?? 0) > 0 || (c.execution_count ?? null) !== null) cleared++;
    return { ...c, outputs: [], execution_count: null };
  });
  return { notebook: { ...nb, cells }, cleared };
}

/**
 * A copy of the notebook in which every cell's source ends with a newline; `changed` counts the cells that did not.
 * Deno 2.9's `deno fmt --check` reports a cell without a final newline as unformatted, while `deno fmt` leaves it as
 * it is (and only its incremental cache hides this where the file was formatted before, not in a fresh clone);
 * Jupyter saves cells without one.
 *
 * @example
 * ```ts
 * endCellsWithNewline(nb).notebook.cells[0].source; // ["# Title\n"] for ["# Title"]
 * ```
 */
export function endCellsWithNewline(nb: Notebook): { notebook: Notebook; changed: number } {
  let changed = 0;
  const cells = nb.cells.map((c) => {
    const source = c.source;
    if (Array.isArray(source)) {
      if (source.length === 0 || source[source.length - 1].endsWith("\n")) return c;
      changed++;
      return { ...c, source: [...source.slice(0, -1), `${source[source.length - 1]}\n`] };
    }
    if (source === "" || source.endsWith("\n")) return c;
    changed++;
    return { ...c, source: `${source}\n` };
  });
  return { notebook: { ...nb, cells }, changed };
}

/**
 * The notebook as Jupyter writes it: JSON with a one-space indent and a trailing newline.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("x.ipynb", formatNotebook(nb));
 * ```
 */
export function formatNotebook(nb: Notebook): string {
  return `${JSON.stringify(nb, null, 1)}\n`;
}

/**
 * Clears the outputs of a notebook file in place (temp file + rename) and ends every cell with a newline
 * ({@linkcode endCellsWithNewline}); returns the cells whose outputs were cleared. The file is rewritten only when
 * something changed.
 *
 * @example
 * ```ts
 * await clearNotebookFile("notebooks/eda.ipynb"); // 0
 * ```
 */
export async function clearNotebookFile(path: string): Promise<number> {
  const { notebook: clean, cleared } = clearOutputs(await readNotebook(path));
  const { notebook, changed } = endCellsWithNewline(clean);
  if (cleared === 0 && changed === 0) return 0;
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, formatNotebook(notebook));
  await Deno.rename(tmp, path);
  return cleared;
}
