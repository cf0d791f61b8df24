/**
 * A feature repo folder, as Feast users keep one: `feature_store.yaml` (settings) beside `features.ts` (definitions:
 * entities, sources, views, services, and the model spec). Every task, notebook and page opens the repo through
 * {@link openRepo}: `--repo DIR`, else `FEATURE_REPO=DIR`, else the working folder when it holds `feature_store.yaml`,
 * else the credit tutorial's repo (`lib/credit/features.ts`, embedded settings), which goes through the same
 * interface as any user's.
 *
 * `features.ts` exports `repo` and `model` (each a value or a function of `{ config, dir }`), and optionally
 * `datasets` (named alternative training data, `--data NAME`) and `pages` (a page of its own for `/`).
 *
 * @example
 * ```ts
 * import { openRepo } from "./load.ts";
 * const repo = await openRepo({ dir: "/srv/churn" });
 * repo.model.label; // "churned"
 * repo.features.views.map((v) => v.name);
 * ```
 * @module
 */
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath as fromFileUrl, pathToFileURL as toFileUrl } from "node:url";
import { type FeatureStoreConfig, loadConfig, type LoadConfigOptions } from "../feature_store/config.ts";
import type { FeatureRepo } from "../feature_store/definitions.ts";
import { type FeatureSpec, inputColumns, type RangeRule } from "../model/preprocess.ts";
import type { Routes } from "../serving/server.ts";
import { featureSpecOf, type ModelSpec, modelSpec, ModelSpecError } from "./spec.ts";

/** What a definitions module's functions receive. */
export interface RepoContext {
  config: FeatureStoreConfig;
  /** The repo folder (absolute). */
  dir: string;
}

/** Named training data other than the model spec's own (`deno task train --data NAME`). */
export interface Dataset {
  /** Entity rows with their label and event time. */
  entityRows: string;
  /** Stored features to join, `view:feature`. */
  storedFeatures: readonly string[];
  /** The definitions to join with (default the repo's). */
  repo?: FeatureRepo;
  /** The model's features on this data (default the model spec's). */
  features?: ModelSpec["features"];
}

/**
 * A page of the repo's own for `/` (default: a form built from the request fields): the routes it adds to the
 * decision server, given the repo's views and the loaded model's range rules.
 */
export type RepoPages = (ctx: { repo: FeatureRepo; rules?: readonly RangeRule[] }) => Promise<Routes>;

type Definable<T> = T | ((ctx: RepoContext) => T);

/** The exports of a definitions module. */
export interface RepoModule {
  repo: Definable<FeatureRepo>;
  model: Definable<ModelSpec>;
  datasets?: Definable<Record<string, Dataset>>;
  pages?: RepoPages;
}

/** An opened repo. */
export interface OpenedRepo {
  /** The repo folder (absolute). */
  dir: string;
  /** The definitions module. */
  module: string;
  /** Whether this is the built-in credit tutorial repo. */
  builtin: boolean;
  config: FeatureStoreConfig;
  features: FeatureRepo;
  model: ModelSpec & { policy: NonNullable<ModelSpec["policy"]>; modelType: string };
  /** The preprocessing spec of the model. */
  featureSpec: FeatureSpec;
  datasets: Record<string, Dataset>;
  pages?: RepoPages;
}

/** A repo that cannot be opened; the message names the folder, file or export. */
export class RepoError extends Error {
  override name = "RepoError";
}

/** The built-in credit tutorial repo's folder. */
export const BUILTIN_REPO_DIR: string = fromFileUrl(new URL("../credit/", import.meta.url));
/** The definitions file of a repo folder. */
export const DEFINITIONS_FILE = "features.ts";
/** The settings file of a repo folder. */
export const SETTINGS_FILE = "feature_store.yaml";

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * Where the repo is: `flag` (`--repo`), else `env.FEATURE_REPO`, else `cwd` when it holds `feature_store.yaml` and
 * `features.ts`, else null (the built-in credit repo). Relative paths are taken from `cwd`.
 *
 * @example
 * ```ts
 * await resolveRepoDir({ flag: "../churn", cwd: "/srv/toolkit" }); // "/srv/churn"
 * ```
 */
export async function resolveRepoDir(
  opts: { flag?: string; env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<string | null> {
  const env = opts.env ?? envObject();
  const cwd = opts.cwd ?? env.INIT_CWD ?? Deno.cwd();
  const given = opts.flag ?? env.FEATURE_REPO;
  if (given !== undefined && given !== "") return resolve(cwd, given);
  if (await isFile(join(cwd, SETTINGS_FILE)) && await isFile(join(cwd, DEFINITIONS_FILE))) return resolve(cwd);
  return null;
}

function envObject(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    return {};
  }
}

async function definitionsOf(file: string): Promise<RepoModule> {
  let mod: Record<string, unknown>;
  try {
    // a changed file is a new module (a long-lived process, such as a notebook kernel, sees the edit)
    const stat = await Deno.stat(file);
    mod = await import(`${toFileUrl(file).href}?v=${stat.mtime?.getTime() ?? 0}-${stat.size}`);
  } catch (err) {
    throw new RepoError(`Cannot load the definitions "${file}": ${(err as Error).message}`);
  }
  for (const name of ["repo", "model"]) {
    if (mod[name] === undefined) {
      throw new RepoError(
        `The definitions "${file}" export no "${name}"; export const ${name} = ... (see deno task init)`,
      );
    }
  }
  return mod as unknown as RepoModule;
}

function define<T>(value: Definable<T>, ctx: RepoContext): T {
  return typeof value === "function" ? (value as (ctx: RepoContext) => T)(ctx) : value;
}

/** Options of {@link openRepo}. */
export interface OpenRepoOptions extends LoadConfigOptions {
  /** The repo folder (default: {@link resolveRepoDir} with `flag` unset). */
  dir?: string | null;
  /** A ready configuration (skips loading the repo's settings). */
  config?: FeatureStoreConfig;
}

/**
 * Opens a repo folder (see the module doc): its settings (`feature_store.yaml` in the folder, the usual environment
 * overrides on top; the built-in repo uses the embedded defaults and `$FEATURE_STORE_YAML`) and its definitions.
 *
 * @example
 * ```ts
 * const repo = await openRepo({ dir: null }); // the credit tutorial
 * repo.model.name; // "credit_default"
 * ```
 */
export async function openRepo(opts: OpenRepoOptions = {}): Promise<OpenedRepo> {
  const found = opts.dir === undefined ? await resolveRepoDir({ env: opts.env }) : opts.dir;
  const builtin = found === null;
  const dir = builtin ? BUILTIN_REPO_DIR : resolve(found);
  const module = join(dir, DEFINITIONS_FILE);
  if (!builtin) {
    let stat: Deno.FileInfo;
    try {
      stat = await Deno.stat(dir);
    } catch {
      throw new RepoError(`Repo folder "${dir}" does not exist (from --repo or FEATURE_REPO)`);
    }
    if (!stat.isDirectory) throw new RepoError(`Repo "${dir}" is not a folder (from --repo or FEATURE_REPO)`);
    if (!(await isFile(module))) {
      throw new RepoError(`Repo folder "${dir}" has no ${DEFINITIONS_FILE}; create one with "deno task init"`);
    }
  }
  const settings = join(dir, SETTINGS_FILE);
  const config = opts.config ??
    (!builtin && await isFile(settings) ? await loadConfig({ ...opts, path: settings }) : await loadConfig(opts));
  const defs = await definitionsOf(module);
  const ctx: RepoContext = { config, dir };
  let model;
  try {
    model = modelSpec(define(defs.model, ctx));
  } catch (err) {
    if (err instanceof ModelSpecError) throw new RepoError(`${module}: ${err.message}`);
    throw err;
  }
  const features = define(defs.repo, ctx);
  if (!features || !Array.isArray(features.views)) {
    throw new RepoError(`${module}: "repo" must be a featureRepo({...})`);
  }
  const entityRows = /^[a-z][a-z0-9+.-]*:\/\//i.test(model.entityRows) || isAbsolute(model.entityRows)
    ? model.entityRows
    : builtin
    ? model.entityRows
    : resolve(dir, model.entityRows);
  model = { ...model, entityRows };
  checkStoredFeatures(model, features, module);
  const featureSpec = featureSpecOf(model);
  checkProtected(featureSpec, model.protected ?? [], module);
  return {
    dir,
    module,
    builtin,
    config,
    features,
    model,
    featureSpec,
    datasets: defs.datasets ? define(defs.datasets, ctx) : {},
    pages: defs.pages,
  };
}

/** A protected attribute must not be a model input (it would be a decision factor and an adverse-action reason). */
function checkProtected(spec: FeatureSpec, protectedColumns: readonly string[], module: string): void {
  if (!protectedColumns.length) return;
  const inputs = new Set(inputColumns({ ...spec, rules: [] }));
  const used = protectedColumns.filter((c) => inputs.has(c));
  if (used.length) {
    throw new RepoError(
      `${module}: protected attribute${used.length > 1 ? "s" : ""} ${used.map((c) => `"${c}"`).join(", ")} ${
        used.length > 1 ? "are" : "is"
      } a model input; remove ${used.length > 1 ? "them" : "it"} from "features" (fair lending: ECOA / Regulation B)`,
    );
  }
}

function checkStoredFeatures(model: ModelSpec, repo: FeatureRepo, module: string): void {
  for (const ref of model.storedFeatures ?? []) {
    const [view, feature] = ref.split(":");
    const v = repo.views.find((x) => x.name === view);
    if (!v || !v.schema.some((f) => f.name === feature)) {
      throw new RepoError(
        `${module}: stored feature "${ref}" is not a feature of the repo's views (${
          repo.views.map((x) => x.name).join(", ") || "none"
        })`,
      );
    }
  }
}

/** Every `view:feature` of the repo (the default stored features). */
export function allFeatureRefs(repo: FeatureRepo): string[] {
  return repo.views.flatMap((v) => v.schema.map((f) => `${v.name}:${f.name}`));
}

/** The stored features the model spec trains with. */
export function storedFeatureRefs(opened: Pick<OpenedRepo, "model" | "features">): string[] {
  return [...(opened.model.storedFeatures ?? allFeatureRefs(opened.features))];
}

/** What a model trains on: the definitions, entity rows, stored features and the model's features. */
export interface RepoTrainingSource {
  /** The data's name: "repo" (the model spec's own) or a dataset's. */
  kind: string;
  repo: FeatureRepo;
  entities: string;
  features: string[];
  spec: FeatureSpec;
}

/**
 * The training data of a repo: the model spec's own entity rows and stored features, or a named dataset's
 * (`--data NAME`; an unknown name is an error listing the known ones).
 *
 * @example
 * ```ts
 * trainingSourceOf(await openRepo({ dir: null }), "real").entities; // ".../shared/data/feast-credit/loan_table.parquet"
 * ```
 */
export function trainingSourceOf(opened: OpenedRepo, data?: string): RepoTrainingSource {
  if (data === undefined || data === "repo") {
    return {
      kind: "repo",
      repo: opened.features,
      entities: opened.model.entityRows,
      features: storedFeatureRefs(opened),
      spec: opened.featureSpec,
    };
  }
  const d = opened.datasets[data];
  if (!d) {
    const known = ["repo", ...Object.keys(opened.datasets)].join(", ");
    throw new RepoError(`Unknown dataset "${data}" of the repo "${opened.dir}"; known: ${known}`);
  }
  return {
    kind: data,
    repo: d.repo ?? opened.features,
    entities: d.entityRows,
    features: [...d.storedFeatures],
    spec: d.features ? { ...opened.featureSpec, features: d.features } : opened.featureSpec,
  };
}

/**
 * Opens the repo a task names: `--repo DIR` (`flag`), else `FEATURE_REPO`, else the working folder when it holds a
 * repo, else the built-in credit repo.
 *
 * @example
 * ```ts
 * const repo = await openRepoFlag(values.repo as string | undefined);
 * ```
 */
export async function openRepoFlag(
  flag: string | undefined,
  opts: Omit<OpenRepoOptions, "dir"> = {},
): Promise<OpenedRepo> {
  if (flag !== undefined && flag.trim() === "") throw new RepoError(`Flag "--repo" is empty; expected a folder`);
  return await openRepo({ ...opts, dir: await resolveRepoDir({ flag, env: opts.env }) });
}
