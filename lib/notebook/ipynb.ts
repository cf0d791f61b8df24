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
 * Clears the outputs of a notebook file in place (temp file + rename); returns the cells cleared (0: unchanged,
 * file not rewritten).
 *
 * @example
 * ```ts
 * await clearNotebookFile("notebooks/eda.ipynb"); // 0
 * ```
 */
export async function clearNotebookFile(path: string): Promise<number> {
  const { notebook, cleared } = clearOutputs(await readNotebook(path));
  if (cleared === 0) return 0;
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, formatNotebook(notebook));
  await Deno.rename(tmp, path);
  return cleared;
}
