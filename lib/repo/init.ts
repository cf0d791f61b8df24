/**
 * `deno task init`'s engine, like `feast init` but from the user's own files: reads the entity rows (with their label
 * and event time) and each feature source, infers the columns' kinds, ranges and categories, and writes a repo
 * folder: `feature_store.yaml`, `features.ts` (entities, sources, views, a service, the model spec) and `README.md`.
 * Every inference is reported with what to check; the label, the event time and the join key are never guessed
 * silently (a single candidate is taken and said so; several or none is an error naming the flag to pass).
 *
 * @example
 * ```ts
 * import { initRepo } from "./init.ts";
 * const r = await initRepo({ dir: "/srv/churn", from: "/data/accounts.csv", label: "churned", sources: ["/data/usage.parquet"] });
 * r.notes.forEach((n) => console.log(n));
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { basename, extname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readTable } from "../io/mod.ts";
import { DEFINITIONS_FILE, SETTINGS_FILE } from "./load.ts";

/** Options of {@link initRepo}. */
export interface InitOptions {
  /** The repo folder to create (must not hold a repo already). */
  dir: string;
  /** Entity rows: a CSV or Parquet file with the label and the event time. */
  from: string;
  label?: string;
  timestamp?: string;
  /** Join key of the sources (a column of the entity rows and of every source). */
  id?: string;
  /** Feature sources (CSV or Parquet), each a feature view joined on `id`. */
  sources?: string[];
  /** Time to live of every view, in days (default: none, every earlier row is valid). */
  ttlDays?: number;
  /** Share of bad outcomes to catch (default 0.9). */
  targetRecall?: number;
  /** Overwrite an existing repo's files. */
  force?: boolean;
}

/** What {@link initRepo} wrote and inferred. */
export interface InitResult {
  dir: string;
  files: string[];
  /** What was inferred and what to check, one sentence each. */
  notes: string[];
}

/** A refused init; the message names the flag or the column. */
export class InitError extends Error {
  override name = "InitError";
}

type Kind = "integer" | "number" | "text" | "timestamp" | "bool" | "other";

/** A column's inferred facts. */
interface ColumnFacts {
  name: string;
  kind: Kind;
  nulls: number;
  distinct: number;
  rows: number;
  min?: number;
  max?: number;
  median?: number;
  values?: string[];
}

function kindOf(type: arrow.DataType): Kind {
  if (arrow.DataType.isInt(type)) return "integer";
  if (arrow.DataType.isFloat(type) || arrow.DataType.isDecimal(type)) return "number";
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type) || arrow.DataType.isDictionary(type)) {
    return "text";
  }
  if (arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type)) return "timestamp";
  if (arrow.DataType.isBool(type)) return "bool";
  return "other";
}

/** Facts of every column of a table (numbers: range and median; texts: distinct values up to 1,000). */
export function columnFacts(table: arrow.Table): ColumnFacts[] {
  return table.schema.fields.map((f) => {
    const v = table.getChild(f.name)!;
    const kind = kindOf(f.type);
    const facts: ColumnFacts = { name: f.name, kind, nulls: 0, distinct: 0, rows: v.length };
    const seen = new Set<unknown>();
    const nums: number[] = [];
    for (let i = 0; i < v.length; i++) {
      const x = v.get(i);
      if (x === null || x === undefined || (typeof x === "number" && Number.isNaN(x))) {
        facts.nulls++;
        continue;
      }
      if (seen.size <= 1000) seen.add(typeof x === "bigint" ? Number(x) : x);
      if (kind === "integer" || kind === "number") {
        const n = Number(x);
        nums.push(n);
      }
    }
    facts.kind = kind;
    facts.distinct = seen.size;
    if (nums.length) {
      nums.sort((a, b) => a - b);
      facts.min = nums[0];
      facts.max = nums[nums.length - 1];
      facts.median = nums[Math.floor(nums.length / 2)];
    }
    if (kind === "text" && seen.size <= 1000) facts.values = [...seen].map(String).sort();
    return facts;
  });
}

const LABEL_NAMES =
  /^(label|target|y|default|defaulted|is_default|loan_status|status|outcome|churn|churned|fraud|bad)$/i;
const PROTECTED =
  /^((person|applicant|customer|borrower|client|driver|insured|holder)_)?(age|age_years|dob|date_of_birth|birth_date|sex|gender|race|ethnicity|religion|marital_status|nationality|national_origin)$/i;

function pick(
  flag: string,
  given: string | undefined,
  candidates: string[],
  what: string,
  notes: string[],
  columns: string[],
): string {
  if (given !== undefined) {
    if (!columns.includes(given)) {
      throw new InitError(
        `Flag "--${flag}" names column "${given}", which is not in the file; columns: ${columns.join(", ")}`,
      );
    }
    return given;
  }
  if (candidates.length === 1) {
    notes.push(`${what}: "${candidates[0]}" (the only candidate; pass --${flag} to choose another)`);
    return candidates[0];
  }
  throw new InitError(
    candidates.length
      ? `Which column is the ${what}? Candidates: ${candidates.join(", ")}; pass --${flag} COLUMN`
      : `No column looks like the ${what}; pass --${flag} COLUMN (columns: ${columns.join(", ")})`,
  );
}

/** A readable name from a column name ("loan_int_rate" -> "loan int rate"). */
export function readableName(column: string): string {
  return column.replaceAll("_", " ").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/** A round bound above `x` (1, 2, 5 x 10^k) with room: at least 10x the observed maximum, at least 1. */
export function roomyMax(x: number): number {
  const target = Math.max(1, x * 10);
  const k = 10 ** Math.floor(Math.log10(target));
  for (const m of [1, 2, 5, 10]) if (m * k >= target) return m * k;
  return 10 * k;
}

function identifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, "_").replace(/^(\d)/, "_$1");
  return id === "" ? "x" : id;
}

function isSkewed(f: ColumnFacts): boolean {
  return (f.min ?? -1) >= 0 && (f.max ?? 0) > 20 * Math.max(f.median ?? 0, 1);
}

/** How a column enters the model, or null (with the reason) when it does not. */
function featureOf(f: ColumnFacts, rows: number): { code: string | null; why?: string } {
  const description = readableName(f.name);
  if (f.kind === "integer" || f.kind === "number") {
    const log = isSkewed(f) ? ", log: true" : "";
    return {
      code: `{ kind: "numeric", name: ${JSON.stringify(f.name)}, description: ${JSON.stringify(description)}${log} }`,
    };
  }
  if (f.kind === "text") {
    if (f.values && f.distinct <= Math.max(50, Math.min(200, rows * 0.05))) {
      return {
        code: `{ kind: "categorical", name: ${JSON.stringify(f.name)}, description: ${JSON.stringify(description)}${
          f.distinct > 20 ? ", minCount: 20" : ""
        } }`,
      };
    }
    return { code: null, why: `text with ${f.distinct >= 1000 ? "1,000 or more" : f.distinct} distinct values` };
  }
  return { code: null, why: `a ${f.kind} column` };
}

/**
 * Infers a repo from the files and writes it (see the module doc).
 *
 * @example
 * ```ts
 * const r = await initRepo({ dir: "churn", from: "accounts.csv", label: "churned", timestamp: "signup_at" });
 * ```
 */
export async function initRepo(opts: InitOptions): Promise<InitResult> {
  const dir = resolve(opts.dir);
  const notes: string[] = [];
  for (const file of [SETTINGS_FILE, DEFINITIONS_FILE]) {
    try {
      await Deno.stat(resolve(dir, file));
      if (!opts.force) throw new InitError(`"${resolve(dir, file)}" exists already; pass --force to overwrite it`);
    } catch (err) {
      if (err instanceof InitError) throw err;
    }
  }
  const from = isRemote(opts.from) ? opts.from : resolve(opts.from);
  const entities = await readInput(from, "--from");
  const facts = columnFacts(entities);
  const names = facts.map((f) => f.name);
  if (entities.numRows < 20) throw new InitError(`"${from}" has ${entities.numRows} rows; a model needs more`);

  const binary = facts.filter((f) =>
    (f.kind === "integer" || f.kind === "bool") && f.distinct === 2 &&
    (f.kind === "bool" || (f.min === 0 && f.max === 1))
  ).map((f) => f.name);
  const labelCandidates = binary.filter((n) => LABEL_NAMES.test(n));
  const label = pick(
    "label",
    opts.label,
    labelCandidates.length ? labelCandidates : binary,
    "label (1 = the bad outcome)",
    notes,
    names,
  );
  const labelFacts = facts.find((f) => f.name === label)!;
  if (!(labelFacts.kind === "integer" && labelFacts.min === 0 && labelFacts.max === 1)) {
    throw new InitError(`Label column "${label}" must hold 0 and 1 (1 = the bad outcome)`);
  }
  const timestamps = facts.filter((f) => f.kind === "timestamp").map((f) => f.name);
  const timestamp = pick(
    "timestamp",
    opts.timestamp,
    timestamps.filter((n) => n !== "created_timestamp"),
    "event time column of the rows",
    notes,
    names,
  );
  if (facts.find((f) => f.name === timestamp)!.kind !== "timestamp") {
    throw new InitError(`Column "${timestamp}" (--timestamp) is not a timestamp in "${from}"`);
  }

  const sources: { path: string; table: arrow.Table; facts: ColumnFacts[] }[] = [];
  for (const s of opts.sources ?? []) {
    const path = isRemote(s) ? s : resolve(s);
    const table = await readInput(path, "--source");
    sources.push({ path, table, facts: columnFacts(table) });
  }
  let id: string | undefined;
  if (sources.length) {
    const shared = names.filter((n) =>
      n !== label && n !== timestamp && sources.every((s) => s.facts.some((f) => f.name === n))
    );
    id = pick("id", opts.id, shared, "join key of the sources", notes, names);
    for (const s of sources) {
      const cols = s.facts.map((f) => f.name);
      if (!cols.includes(id)) throw new InitError(`Source "${s.path}" has no join key column "${id}" (--id)`);
      if (!cols.includes(timestamp)) {
        throw new InitError(
          `Source "${s.path}" has no event time column "${timestamp}" (--timestamp names it in every file)`,
        );
      }
      const keyKind = s.facts.find((f) => f.name === id)!.kind;
      const rowKind = facts.find((f) => f.name === id)!.kind;
      if (keyKind !== rowKind) {
        throw new InitError(`Join key "${id}" is ${rowKind} in "${from}" but ${keyKind} in "${s.path}"`);
      }
    }
  } else if (opts.id !== undefined && !names.includes(opts.id)) {
    throw new InitError(`Flag "--id" names column "${opts.id}", which is not in "${from}"`);
  } else id = opts.id;

  // request fields, id columns, protected attributes
  const request: string[] = [];
  const idColumns: string[] = [];
  const protectedCols: string[] = [];
  const features: string[] = [];
  for (const f of facts) {
    if (f.name === label || f.name === timestamp || f.name === "created_timestamp") continue;
    const n = f.name;
    if (n === id) {
      request.push(requestField(f, { key: true }));
      continue;
    }
    const unique = f.distinct >= Math.min(1000, f.rows - f.nulls) && f.nulls === 0;
    if ((f.kind === "integer" || f.kind === "text") && unique && /(^|_)(id|key|code|number|no)$/i.test(n)) {
      idColumns.push(`{ name: ${JSON.stringify(n)}, type: "${f.kind}" }`);
      notes.push(`"${n}": an identifier (every value distinct), copied to outputs, not a model input`);
      continue;
    }
    if (PROTECTED.test(n)) {
      protectedCols.push(n);
      notes.push(
        `"${n}": a protected attribute (fair lending: ECOA / Regulation B), kept out of the model's inputs and ` +
          `listed under "protected"; check the list`,
      );
      continue;
    }
    const feature = featureOf(f, entities.numRows);
    if (!feature.code) {
      notes.push(`"${n}" left out of the model (${feature.why}); add it to "request" and "features" to use it`);
      continue;
    }
    request.push(requestField(f, {}));
    features.push(feature.code);
  }

  // views
  const ttl = opts.ttlDays;
  const views: string[] = [];
  const refs: string[] = [];
  const viewNames = new Set<string>();
  for (const s of sources) {
    let name = identifier(basename(s.path, extname(s.path)).replace(/(_table|_features)$/, ""));
    while (viewNames.has(name)) name = `${name}_2`;
    viewNames.add(name);
    const schema: string[] = [];
    for (const f of s.facts) {
      if (f.name === id || f.name === timestamp || f.name === "created_timestamp") continue;
      const dtype = f.kind === "integer"
        ? "int64"
        : f.kind === "number"
        ? "float64"
        : f.kind === "text"
        ? "string"
        : null;
      if (!dtype) {
        notes.push(`source "${basename(s.path)}": column "${f.name}" (${f.kind}) is not a feature type; left out`);
        continue;
      }
      if (names.includes(f.name)) {
        notes.push(`source "${basename(s.path)}": column "${f.name}" is also in the entity rows; the view's is used`);
      }
      schema.push(
        `      { name: ${JSON.stringify(f.name)}, dtype: "${dtype}", description: ${
          JSON.stringify(readableName(f.name))
        } },`,
      );
      refs.push(`${name}:${f.name}`);
      const feature = featureOf(f, s.table.numRows);
      if (PROTECTED.test(f.name)) {
        protectedCols.push(f.name);
        notes.push(`"${f.name}" of "${name}": a protected attribute, stored but kept out of the model`);
      } else if (feature.code) features.push(feature.code);
      else notes.push(`"${f.name}" of "${name}" left out of the model (${feature.why})`);
    }
    const created = s.facts.some((f) => f.name === "created_timestamp" && f.kind === "timestamp");
    views.push(`  const ${name} = featureView({
    name: ${JSON.stringify(name)},
    entities: [key],${ttl ? `\n    ttl: "${ttl}d",` : ""}
    source: fileSource({
      name: ${JSON.stringify(name)},
      path: ${JSON.stringify(s.path)},
      timestampField: ${JSON.stringify(timestamp)},${
      created ? `\n      createdTimestampColumn: "created_timestamp",` : ""
    }
    }),
    schema: [
${schema.join("\n")}
    ],
  });`);
    notes.push(
      `view "${name}": ${schema.length} features from ${basename(s.path)}, joined on "${id}" at each row's ` +
        `"${timestamp}"${ttl ? `, ttl ${ttl} days` : ", no ttl (pass --ttl DAYS to ignore older rows)"}` +
        (created ? ", ties broken by created_timestamp" : ""),
    );
  }
  if (features.length === 0) throw new InitError(`No column of "${from}" or the sources can be a model input`);
  const keyFacts = id === undefined ? undefined : facts.find((f) => f.name === id);
  const toolkit = fileURLToPath(new URL("./mod.ts", import.meta.url));
  let importPath = relative(dir, toolkit).replaceAll("\\", "/");
  if (!importPath.startsWith(".")) importPath = `./${importPath}`;
  if (isAbsolute(importPath)) importPath = toolkit;
  const project = identifier(basename(dir)).toLowerCase();
  const labelRate = (() => {
    const v = entities.getChild(label)!;
    let ones = 0, n = 0;
    for (let i = 0; i < v.length; i++) {
      const x = v.get(i);
      if (x === null) continue;
      n++;
      if (Number(x) === 1) ones++;
    }
    return n ? ones / n : 0;
  })();
  notes.unshift(
    `entity rows: ${entities.numRows} from ${basename(from)}; label "${label}" (${
      (100 * labelRate).toFixed(1)
    }% are 1), ` +
      `event time "${timestamp}"`,
  );
  notes.push(
    `policy: the threshold catches ${Math.round(100 * (opts.targetRecall ?? 0.9))}% of the rows labelled 1 on ` +
      `validation (edit "policy" for a cost-based one)`,
  );
  notes.push(`ranges: each number's min is 0 when the data has no negatives, its max 10x the largest seen; check them`);

  const featuresTs = `/**
 * Feature repo "${project}", written by \`deno task init\` from ${basename(from)}${
    sources.length ? ` and ${sources.map((s) => basename(s.path)).join(", ")}` : ""
  }.
 * Check the ranges, categories, readable names and protected attributes below; then see README.md.
 * @module
 */
import {
  entity,
  featureRepo,
  featureService,
  featureView,
  fileSource,
  type ModelSpec,
  type RepoContext,
} from ${JSON.stringify(importPath)};

/** Entities, sources, views and a service. */
export const repo = (_ctx: RepoContext) => {
${
    id !== undefined && sources.length
      ? `  const key = entity({ name: ${JSON.stringify(id)}, valueType: "${
        keyFacts?.kind === "integer" ? "int64" : "string"
      }", description: ${JSON.stringify(readableName(id))} });\n`
      : ""
  }${views.join("\n")}
  return featureRepo({
    entities: [${id !== undefined && sources.length ? "key" : ""}],
    views: [${[...viewNames].join(", ")}],
    services: [${
    sources.length ? `featureService({ name: "${project}_v1", features: [${[...viewNames].join(", ")}] })` : ""
  }],
  });
};

/** The model: rows to learn from, request fields, features, policy. */
export const model = (_ctx: RepoContext): ModelSpec => ({
  name: ${JSON.stringify(`${project}_model`)},
  subject: "application",
  entityRows: ${JSON.stringify(from)},
  label: ${JSON.stringify(label)},
  timestamp: ${JSON.stringify(timestamp)},
  idColumns: [${idColumns.join(", ")}],
  request: [
${request.map((r) => `    ${r},`).join("\n")}
  ],
  storedFeatures: ${JSON.stringify(refs)},
  features: [
${features.map((f) => `    ${f},`).join("\n")}
  ],
  protected: ${JSON.stringify(protectedCols)},
  policy: { kind: "target_recall", targetRecall: ${opts.targetRecall ?? 0.9} },
  modelType: "mlp",
});
`;
  const yaml = `# Settings of the feature repo "${project}" (relative paths are relative to this file).
project: ${project}
registry: registry.json
data_dir: .
model_store: models
offline_store:
  type: file
online_store:
  type: sqlite
  path: online_store.db
`;
  const repoFlag = `--repo ${dir}`;
  const readme = `# Feature repo \`${project}\`

Written by \`deno task init\` from \`${from}\`${sources.length ? ` and ${sources.length} source(s)` : ""}.
\`features.ts\` holds the definitions and the model spec; \`feature_store.yaml\` the settings.

Next, from the toolkit's folder:

\`\`\`sh
deno task apply ${repoFlag}
deno task training-set ${repoFlag} --out ${dir}/training_set.parquet
deno task train ${repoFlag}
deno task score ${repoFlag} --input ${from} --output ${dir}/scored --quarantine
deno task materialize ${repoFlag} 2000-01-01 $(date -u +%Y-%m-%d)
deno task serve ${repoFlag}
\`\`\`

What init inferred, to check:

${notes.map((n) => `- ${n}`).join("\n")}
`;
  await Deno.mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const [name, text] of [[DEFINITIONS_FILE, featuresTs], [SETTINGS_FILE, yaml], ["README.md", readme]]) {
    const path = resolve(dir, name);
    const tmp = `${path}.tmp-${crypto.randomUUID()}`;
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
    files.push(path);
  }
  return { dir, files, notes };
}

function requestField(f: ColumnFacts, opts: { key?: boolean }): string {
  const parts = [`name: ${JSON.stringify(f.name)}`];
  const nullable = f.nulls > 0 && !opts.key;
  if (f.kind === "integer" || f.kind === "number") {
    parts.push(`type: "${f.kind}"`);
    if (!opts.key) {
      const min = (f.min ?? 0) >= 0 ? 0 : f.min;
      parts.push(`min: ${min}`, `max: ${roomyMax(Math.max(Math.abs(f.max ?? 0), Math.abs(f.min ?? 0)))}`);
    }
  } else if (opts.key || !f.values || f.values.length > 200) {
    parts.push(`type: "text"`);
  } else {
    parts.push(`type: "category"`, `values: ${JSON.stringify(f.values)}`);
  }
  parts.push(`label: ${JSON.stringify(readableName(f.name))}`);
  if (nullable) parts.push("nullable: true");
  return `{ ${parts.join(", ")} }`;
}

function isRemote(uri: string): boolean {
  return /^s3:\/\//i.test(uri);
}

async function readInput(path: string, flag: string): Promise<arrow.Table> {
  try {
    return await readTable(path);
  } catch (err) {
    throw new InitError(`Cannot read "${path}" (${flag}): ${(err as Error).message}`);
  }
}
