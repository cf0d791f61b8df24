/**
 * Settings of a notebook run, read from the environment so that `deno task notebooks` (and anyone starting
 * Jupyter) can pass them to the kernel: which data (`NOTEBOOK_DATA`: `auto`, `generated` or `real`), how many
 * generated rows (`NOTEBOOK_ROWS`), the seed (`NOTEBOOK_SEED`), an existing folder of generated tables to use
 * instead (`NOTEBOOK_DATA_DIR`), the notebooks' working folder (`NOTEBOOK_WORK_DIR`, default
 * `<project>/data/notebooks`), and a feature repo of the user's to run on instead of the credit tutorial
 * (`NOTEBOOK_REPO`, a folder with `feature_store.yaml` and `features.ts`; `deno task notebooks --repo DIR`). Paths are absolute, resolved from the project root (the folder holding
 * deno.json), because the kernel runs in the notebook's own folder.
 *
 * @example
 * ```ts
 * import { notebookSettings } from "./settings.ts";
 * const settings = notebookSettings(); // { data: "auto", rows: 3000, seed: 42, root: "/work/main", ... }
 * ```
 * @module
 */
import { dirname, isAbsolute, join, resolve } from "node:path";
import { existsSync } from "node:fs";

/** The environment variables a notebook reads. */
export const NOTEBOOK_ENV = {
  data: "NOTEBOOK_DATA",
  rows: "NOTEBOOK_ROWS",
  seed: "NOTEBOOK_SEED",
  dataDir: "NOTEBOOK_DATA_DIR",
  workDir: "NOTEBOOK_WORK_DIR",
  repo: "NOTEBOOK_REPO",
} as const;

/** Which data a notebook runs on: `auto` is the real data when present, else generated data. */
export type NotebookData = "auto" | "generated" | "real";

/** A notebook run's settings (see the module doc). */
export interface NotebookSettings {
  /** Project root (absolute). */
  root: string;
  data: NotebookData;
  /** Loans to generate (default 3000). */
  rows: number;
  seed: number;
  /** Existing folder of generated tables, when given (absolute). */
  dataDir: string | null;
  /** Working folder for generated data, registries and model stores (absolute). */
  workDir: string;
  /**
   * A feature repo folder to run on (absolute), or null for the built-in credit tutorial (`data`, `rows` and
   * `dataDir` apply to the tutorial only).
   */
  repo: string | null;
}

/** Defaults of {@linkcode notebookSettings}. */
export const NOTEBOOK_DEFAULTS = { data: "auto" as NotebookData, rows: 3000, seed: 42 };

/**
 * The project root: the nearest folder at or above `start` holding deno.json.
 *
 * @example
 * ```ts
 * findProjectRoot("/work/main/notebooks"); // "/work/main"
 * ```
 */
export function findProjectRoot(start: string = Deno.cwd()): string {
  let dir = resolve(start);
  while (true) {
    if (existsSync(join(dir, "deno.json")) || existsSync(join(dir, "deno.jsonc"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`No deno.json in "${resolve(start)}" or any folder above it`);
    dir = up;
  }
}

function wholeNumber(env: Record<string, string>, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`Setting "${name}" is "${raw}"; expected a whole number >= ${min}`);
  }
  return n;
}

/**
 * Reads the settings from `env` (default: the process environment), resolving paths against the project root
 * found from `cwd`.
 *
 * @example
 * ```ts
 * notebookSettings({ env: { NOTEBOOK_ROWS: "500", NOTEBOOK_DATA: "generated" } }).rows; // 500
 * ```
 */
export function notebookSettings(opts: { env?: Record<string, string>; cwd?: string } = {}): NotebookSettings {
  const env = opts.env ?? Deno.env.toObject();
  const root = findProjectRoot(opts.cwd ?? Deno.cwd());
  const data = (env[NOTEBOOK_ENV.data]?.trim() || NOTEBOOK_DEFAULTS.data) as NotebookData;
  if (!["auto", "generated", "real"].includes(data)) {
    throw new Error(`Setting "${NOTEBOOK_ENV.data}" is "${data}"; expected "auto", "generated" or "real"`);
  }
  const at = (p: string) => isAbsolute(p) ? p : resolve(root, p);
  const dataDir = env[NOTEBOOK_ENV.dataDir]?.trim();
  const workDir = env[NOTEBOOK_ENV.workDir]?.trim();
  const repo = env[NOTEBOOK_ENV.repo]?.trim();
  return {
    root,
    data,
    rows: wholeNumber(env, NOTEBOOK_ENV.rows, NOTEBOOK_DEFAULTS.rows, 100),
    seed: wholeNumber(env, NOTEBOOK_ENV.seed, NOTEBOOK_DEFAULTS.seed, 0),
    dataDir: dataDir ? at(dataDir) : null,
    workDir: at(workDir || "data/notebooks"),
    repo: repo ? at(repo) : null,
  };
}
