/**
 * Model registry like MLflow's: numbered versions of a named model, each pointing at a run's model artifacts, and
 * aliases (`champion`, `challenger`, any name) that point at versions.
 *
 * Layout under a root (usually `config.model_store`, local or `s3://`):
 *
 * ```
 * <root>/registry/<name>/versions/<n>.json     one version: run id, artifact location, metrics, policy
 * <root>/registry/<name>/aliases.json          { "aliases": { "champion": 2 }, "revision": 5 }
 * <root>/registry/<name>/copies/<id>/...       model files when registered with `copy: true`
 * <root>/registry/<name>/claims/<n>/<token>    short-lived claims while version n is being allocated
 * ```
 *
 * Version numbers are allocated safely: the next number is one past the highest, a version file that already
 * exists is never overwritten, and concurrent writers agree through claim files (see `allocateVersion`). Locations are stored relative to the root, so a registry copied from a
 * local directory to S3 still resolves.
 *
 * @example
 * ```ts
 * import { getVersion, registerModel, setAlias } from "./registry.ts";
 * const runId = "20250102T030405678Z-1a2b3c4d"; // from startRun(...) in lib/model/tracking.ts
 * const v = await registerModel({ root: "data/models", name: "churn", runId, artifactPrefix: "model" });
 * await setAlias({ root: "data/models", name: "churn", alias: "champion", version: v.version });
 * const champion = await getVersion({ root: "data/models", name: "churn", alias: "champion" });
 * console.log(champion.artifact_uri); // .../runs/churn/<run_id>/artifacts/model
 * ```
 * @module
 */
import {
  type IoOptions,
  joinUri,
  list,
  ObjectNotFoundError,
  readBytes,
  readJsonOrNull,
  remove,
  writeBytes,
  writeJson,
} from "../io/mod.ts";
import { checkArtifactPath, getRun, type Json, listArtifacts, readArtifact } from "./tracking.ts";

/** Marks a model version file. */
export const VERSION_FORMAT = "model_version";

/** Marks an aliases file. */
export const ALIASES_FORMAT = "model_aliases";

/** One registered model version, as returned by the readers. */
export interface ModelVersion {
  format: typeof VERSION_FORMAT;
  format_version: number;
  name: string;
  version: number;
  run_id: string;
  experiment: string;
  /** `runs:/<run_id>/<artifact prefix>`, as in MLflow. */
  source: string;
  /** `reference`: the files stay in the run; `copy`: they were copied into the registry. */
  storage: "reference" | "copy";
  /** The model files' location relative to the root. */
  artifact_path: string;
  /** The model files' location (`<root>/<artifact_path>`, computed on read). */
  artifact_uri: string;
  description: string | null;
  tags: Record<string, string>;
  /** Metrics at registration (default: the run's latest metrics). */
  metrics: Record<string, number>;
  /** The decision policy stored with the model (e.g. a `ThresholdChoice`), or null. */
  policy: Json | null;
  /** ISO 8601, UTC. */
  created_time: string;
  /** Aliases pointing at this version (computed on read). */
  aliases: string[];
}

/** Options shared by the registry functions. */
export interface RegistryOptions {
  /** Local path or `s3://bucket/prefix` (usually `config.model_store`). */
  root: string;
  /** Registered model name. */
  name: string;
  /** S3 settings overriding the environment. */
  io?: IoOptions;
}

/** Options of {@linkcode registerModel}. */
export interface RegisterModelOptions extends RegistryOptions {
  /** The run whose artifacts hold the model. Failed runs are refused. */
  runId: string;
  /** Folder of the model inside the run's artifacts, e.g. `model`. */
  artifactPrefix: string;
  description?: string;
  tags?: Record<string, string>;
  /** Metrics to record (default: the run's latest metrics). */
  metrics?: Record<string, number>;
  /** Policy to record (default: the JSON artifact `<artifactPrefix>/policy.json`, else `policy.json`, else null). */
  policy?: Json;
  /** Copy the model files into the registry instead of referencing the run (default false). */
  copy?: boolean;
  /** Clock (tests). */
  now?: () => Date;
}

/** Options of {@linkcode getVersion}: a version number, an alias, or neither for the latest version. */
export interface GetVersionOptions extends RegistryOptions {
  version?: number;
  alias?: string;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ALIAS_RE = /^[A-Za-z][A-Za-z0-9_-]*$/;
const enc = new TextEncoder();
const dec = new TextDecoder();

function checkName(name: string): void {
  if (typeof name !== "string" || !NAME_RE.test(name)) {
    throw new Error(
      `Invalid model name "${name}": use letters, digits, "_", "-" or "." and start with a letter or digit`,
    );
  }
}

function checkAlias(alias: string): void {
  if (typeof alias !== "string" || !ALIAS_RE.test(alias) || alias.toLowerCase() === "latest") {
    throw new Error(
      `Invalid alias "${alias}": use letters, digits, "_" or "-", start with a letter, and not "latest" (reserved)`,
    );
  }
}

function checkVersion(version: number): void {
  if (!Number.isInteger(version) || version < 1) {
    throw new Error(`Invalid model version "${version}": expected 1, 2, ...`);
  }
}

function modelDir(root: string, name: string): string {
  return joinUri(root, "registry", name);
}

function versionUri(root: string, name: string, version: number): string {
  return joinUri(modelDir(root, name), "versions", `${version}.json`);
}

function aliasesUri(root: string, name: string): string {
  return joinUri(modelDir(root, name), "aliases.json");
}

function relativeTo(uri: string, base: string): string | null {
  const norm = (s: string) => s.replace(/^\.\//, "").replace(/\/+$/, "");
  const b = norm(base) + "/";
  const u = norm(uri);
  return u.startsWith(b) ? u.slice(b.length) : null;
}

/**
 * `list` that retries when a file vanishes while a local directory is walked (a claim removed by another writer).
 */
async function listRetrying(prefix: string, io?: IoOptions) {
  for (let attempt = 0;; attempt++) {
    try {
      return await list(prefix, io);
    } catch (err) {
      if (!(err instanceof ObjectNotFoundError) || attempt >= 10) throw err;
    }
  }
}

/** Version numbers present, ascending. */
async function versionNumbers(root: string, name: string, io?: IoOptions): Promise<number[]> {
  const base = joinUri(modelDir(root, name), "versions");
  const out: number[] = [];
  for (const o of await listRetrying(`${base}/`, io)) {
    const rel = relativeTo(o.uri, base);
    const m = rel === null ? null : /^(\d+)\.json$/.exec(rel);
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

interface AliasesFile {
  format: typeof ALIASES_FORMAT;
  revision: number;
  aliases: Record<string, number>;
}

async function readAliases(root: string, name: string, io?: IoOptions): Promise<AliasesFile> {
  const uri = aliasesUri(root, name);
  const doc = await readJsonOrNull(uri, io) as AliasesFile | null;
  if (doc === null) return { format: ALIASES_FORMAT, revision: 0, aliases: {} };
  if (doc.format !== ALIASES_FORMAT || typeof doc.aliases !== "object") {
    throw new Error(`File "${uri}" is not a model aliases file (no "format": "${ALIASES_FORMAT}")`);
  }
  return doc;
}

/** Read-modify-write of aliases.json with a revision check just before writing (best effort on S3). */
async function updateAliases(
  root: string,
  name: string,
  io: IoOptions | undefined,
  change: (aliases: Record<string, number>) => void,
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await readAliases(root, name, io);
    const aliases = { ...current.aliases };
    change(aliases);
    const again = await readAliases(root, name, io);
    if (again.revision !== current.revision) continue;
    await writeJson(aliasesUri(root, name), {
      format: ALIASES_FORMAT,
      revision: current.revision + 1,
      aliases: Object.fromEntries(Object.entries(aliases).sort(([a], [b]) => (a < b ? -1 : 1))),
    }, io);
    return;
  }
  throw new Error(`Aliases of model "${name}" keep changing concurrently; try again`);
}

type StoredVersion = Omit<ModelVersion, "artifact_uri" | "aliases">;

function toModelVersion(doc: StoredVersion, root: string, aliases: Record<string, number>): ModelVersion {
  return {
    ...doc,
    artifact_uri: joinUri(root, doc.artifact_path),
    aliases: Object.entries(aliases).filter(([, v]) => v === doc.version).map(([a]) => a).sort(),
  };
}

async function readVersion(root: string, name: string, version: number, io?: IoOptions): Promise<StoredVersion | null> {
  const uri = versionUri(root, name, version);
  const doc = await readJsonOrNull(uri, io) as StoredVersion | null;
  if (doc !== null && (doc.format !== VERSION_FORMAT || doc.version !== version)) {
    throw new Error(`File "${uri}" is not model version ${version} (no "format": "${VERSION_FORMAT}")`);
  }
  return doc;
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Registers the model files of a run as the next version (1, 2, ...) of a named model. The files stay in the run
 * (referenced) unless `copy: true`. Records the run's metrics and the policy stored with the model.
 *
 * @example
 * ```ts
 * import { registerModel } from "./registry.ts";
 * const v = await registerModel({
 *   root: "data/models",
 *   name: "churn",
 *   runId: "20250102T030405678Z-1a2b3c4d",
 *   artifactPrefix: "model",
 *   description: "MLP on churn_v1",
 * });
 * console.log(v.version, v.artifact_uri);
 * ```
 */
export async function registerModel(opts: RegisterModelOptions): Promise<ModelVersion> {
  const { root, name, runId, io } = opts;
  checkName(name);
  const prefix = opts.artifactPrefix.replace(/\/+$/, "");
  checkArtifactPath(prefix);
  for (const [k, v] of Object.entries(opts.tags ?? {})) {
    if (typeof v !== "string") throw new Error(`Tag "${k}" must be a string, got "${String(v)}"`);
  }
  const run = await getRun(root, runId, { io });
  if (run.status === "FAILED") throw new Error(`Run "${runId}" failed; refusing to register its model as "${name}"`);
  const files = await listArtifacts({ root, runId, prefix: `${prefix}/`, io });
  if (files.length === 0) {
    const all = await listArtifacts({ root, runId, io });
    throw new Error(
      `Run "${runId}" has no artifacts under "${prefix}/"; it has: ${all.length ? all.join(", ") : "none"}`,
    );
  }
  let policy: Json | null = opts.policy ?? null;
  if (opts.policy === undefined) {
    for (const p of [`${prefix}/policy.json`, "policy.json"]) {
      try {
        policy = JSON.parse(dec.decode(await readArtifact({ root, runId, path: p, io })));
        break;
      } catch (err) {
        if (!(err instanceof Error) || !err.message.includes("has no artifact")) throw err;
      }
    }
  }
  const runArtifacts = relativeTo(run.artifact_uri, root) ?? joinUri("runs", run.experiment, runId, "artifacts");
  let artifactPath = joinUri(runArtifacts, prefix);
  if (opts.copy) {
    const copyDir = joinUri("registry", name, "copies", `${runId}-${randomHex(4)}`);
    for (const f of files) {
      const bytes = await readArtifact({ root, runId, path: f, io });
      await writeBytes(joinUri(root, copyDir, f.slice(prefix.length + 1)), bytes, io);
    }
    artifactPath = copyDir;
  }
  const now = (opts.now ?? (() => new Date()))();
  const base: Omit<StoredVersion, "version"> = {
    format: VERSION_FORMAT,
    format_version: 1,
    name,
    run_id: runId,
    experiment: run.experiment,
    source: `runs:/${runId}/${prefix}`,
    storage: opts.copy ? "copy" : "reference",
    artifact_path: artifactPath,
    description: opts.description ?? null,
    tags: { ...opts.tags },
    metrics: opts.metrics ?? run.metrics,
    policy,
    created_time: now.toISOString(),
  };
  const version = await allocateVersion(root, name, io, async (n) => {
    await writeJson(versionUri(root, name, n), { ...base, version: n }, io);
  });
  const { aliases } = await readAliases(root, name, io);
  return toModelVersion({ ...base, version }, root, aliases);
}

/** Claims older than this are treated as left behind by a crashed writer. */
const CLAIM_TTL_MS = 60_000;

/**
 * Allocates the next version number and calls `write(n)` while holding it. Safe between concurrent writers on
 * any store with read-after-write consistency (local files, S3): each writer writes a uniquely named claim for
 * `n`, then lists the claims for `n`; only a writer that sees no other live claim and no existing `n.json`
 * writes the version. A writer that sees another claim withdraws its own and retries after a random pause.
 */
async function allocateVersion(
  root: string,
  name: string,
  io: IoOptions | undefined,
  write: (version: number) => Promise<void>,
): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const existing = await versionNumbers(root, name, io);
    let n = (existing.at(-1) ?? 0) + 1;
    while ((await readVersion(root, name, n, io)) !== null) n++;
    const claimsDir = joinUri(modelDir(root, name), "claims", String(n));
    const token = `${Date.now()}-${randomHex(6)}`;
    const mine = joinUri(claimsDir, token);
    await writeBytes(mine, enc.encode(token), io);
    const cutoff = Date.now() - CLAIM_TTL_MS;
    const others = (await listRetrying(`${claimsDir}/`, io)).map((o) => relativeTo(o.uri, claimsDir)).filter((t) =>
      t !== null && t !== token && Number(t.split("-")[0]) >= cutoff
    );
    if (others.length === 0 && (await readVersion(root, name, n, io)) === null) {
      try {
        await write(n);
      } finally {
        await remove(mine, io).catch(() => {});
      }
      return n;
    }
    await remove(mine, io);
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * Math.min(attempt + 1, 10)));
  }
  throw new Error(`Could not allocate a version number for model "${name}": too many concurrent registrations`);
}

async function requireVersions(root: string, name: string, io?: IoOptions): Promise<number[]> {
  checkName(name);
  const versions = await versionNumbers(root, name, io);
  if (versions.length === 0) {
    throw new Error(
      `Model "${name}" is not registered (no versions under "${joinUri(modelDir(root, name), "versions")}")`,
    );
  }
  return versions;
}

/**
 * Points an alias at a version (moving it if it pointed elsewhere). Returns the version it pointed at before,
 * or null.
 *
 * @example
 * ```ts
 * import { setAlias } from "./registry.ts";
 * const previous = await setAlias({ root: "data/models", name: "churn", alias: "champion", version: 2 });
 * ```
 */
export async function setAlias(opts: RegistryOptions & { alias: string; version: number }): Promise<number | null> {
  checkAlias(opts.alias);
  checkVersion(opts.version);
  const versions = await requireVersions(opts.root, opts.name, opts.io);
  if (!versions.includes(opts.version)) {
    throw new Error(`Model "${opts.name}" has no version ${opts.version}; versions: ${versions.join(", ")}`);
  }
  let previous: number | null = null;
  await updateAliases(opts.root, opts.name, opts.io, (aliases) => {
    previous = aliases[opts.alias] ?? null;
    aliases[opts.alias] = opts.version;
  });
  return previous;
}

/**
 * Removes an alias. Returns the version it pointed at, or null when it did not exist.
 *
 * @example
 * ```ts
 * import { deleteAlias } from "./registry.ts";
 * await deleteAlias({ root: "data/models", name: "churn", alias: "challenger" });
 * ```
 */
export async function deleteAlias(opts: RegistryOptions & { alias: string }): Promise<number | null> {
  checkAlias(opts.alias);
  checkName(opts.name);
  let previous: number | null = null;
  const current = await readAliases(opts.root, opts.name, opts.io);
  if (!(opts.alias in current.aliases)) return null;
  await updateAliases(opts.root, opts.name, opts.io, (aliases) => {
    previous = aliases[opts.alias] ?? null;
    delete aliases[opts.alias];
  });
  return previous;
}

/**
 * The aliases of a model: alias -> version.
 *
 * @example
 * ```ts
 * import { getAliases } from "./registry.ts";
 * await getAliases({ root: "data/models", name: "churn" }); // { champion: 2, challenger: 3 }
 * ```
 */
export async function getAliases(opts: RegistryOptions): Promise<Record<string, number>> {
  checkName(opts.name);
  return { ...(await readAliases(opts.root, opts.name, opts.io)).aliases };
}

/**
 * Reads one version by number, by alias, or (neither given) the latest. Errors list what exists, e.g.
 * `Model "churn" has no alias "champion"; versions: 1, 2`.
 *
 * @example
 * ```ts
 * import { getVersion } from "./registry.ts";
 * const v = await getVersion({ root: "data/models", name: "churn", alias: "champion" });
 * console.log(v.version, v.run_id, v.artifact_uri, v.policy);
 * ```
 */
export async function getVersion(opts: GetVersionOptions): Promise<ModelVersion> {
  const { root, name, io } = opts;
  if (opts.version !== undefined && opts.alias !== undefined) {
    throw new Error(`Give a version or an alias of model "${name}", not both`);
  }
  if (opts.version !== undefined) checkVersion(opts.version);
  if (opts.alias !== undefined) checkAlias(opts.alias);
  const versions = await requireVersions(root, name, io);
  const { aliases } = await readAliases(root, name, io);
  let version: number;
  if (opts.alias !== undefined) {
    if (!(opts.alias in aliases)) {
      throw new Error(`Model "${name}" has no alias "${opts.alias}"; versions: ${versions.join(", ")}`);
    }
    version = aliases[opts.alias];
  } else {
    version = opts.version ?? versions[versions.length - 1];
  }
  const doc = await readVersion(root, name, version, io);
  if (doc === null) {
    const via = opts.alias !== undefined ? ` (alias "${opts.alias}")` : "";
    throw new Error(`Model "${name}" has no version ${version}${via}; versions: ${versions.join(", ")}`);
  }
  return toModelVersion(doc, root, aliases);
}

/**
 * All versions of a model, ascending, with their aliases (empty when the model is not registered).
 *
 * @example
 * ```ts
 * import { listVersions } from "./registry.ts";
 * for (const v of await listVersions({ root: "data/models", name: "churn" })) {
 *   console.log(v.version, v.aliases.join(","), v.metrics.val_auc);
 * }
 * ```
 */
export async function listVersions(opts: RegistryOptions): Promise<ModelVersion[]> {
  checkName(opts.name);
  const numbers = await versionNumbers(opts.root, opts.name, opts.io);
  const { aliases } = await readAliases(opts.root, opts.name, opts.io);
  const docs = await Promise.all(numbers.map((n) => readVersion(opts.root, opts.name, n, opts.io)));
  return docs.filter((d): d is StoredVersion => d !== null).map((d) => toModelVersion(d, opts.root, aliases));
}

/**
 * Names of the registered models under a root.
 *
 * @example
 * ```ts
 * import { listModels } from "./registry.ts";
 * await listModels("data/models"); // ["churn"]
 * ```
 */
export async function listModels(root: string, opts: { io?: IoOptions } = {}): Promise<string[]> {
  const base = joinUri(root, "registry");
  const names = new Set<string>();
  for (const o of await list(`${base}/`, opts.io)) {
    const rel = relativeTo(o.uri, base);
    const m = rel === null ? null : /^([^/]+)\/versions\/\d+\.json$/.exec(rel);
    if (m) names.add(m[1]);
  }
  return [...names].sort();
}

/**
 * Reads one file of a registered version's model (e.g. `model.json`), wherever it is stored.
 *
 * @example
 * ```ts
 * import { getVersion, readModelFile } from "./registry.ts";
 * const v = await getVersion({ root: "data/models", name: "churn", alias: "champion" });
 * const modelJson = JSON.parse(new TextDecoder().decode(await readModelFile(v, "model.json")));
 * ```
 */
export async function readModelFile(
  version: Pick<ModelVersion, "artifact_uri" | "name" | "version">,
  path: string,
  opts: { io?: IoOptions } = {},
): Promise<Uint8Array> {
  checkArtifactPath(path);
  const uri = joinUri(version.artifact_uri, path);
  try {
    return await readBytes(uri, opts.io);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) {
      throw new Error(`Model "${version.name}" version ${version.version} has no file "${path}" ("${uri}" is missing)`);
    }
    throw err;
  }
}
