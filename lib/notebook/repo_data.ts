/**
 * The data the notebooks run on, for any feature repo: what `deno task notebooks --repo DIR` (`NOTEBOOK_REPO`) gives
 * them, built from the repo's config and definitions only (lib/repo): its entity rows (label, event time, request
 * fields), its views' sources, the point-in-time training set and the model spec's name, policy and model type.
 * Nothing here knows a domain: the credit tutorial (no repo) plugs its own tables, wording and scenario into the same
 * shapes from lib/credit/notebook_data.ts and lib/credit/monitoring_scenario.ts.
 *
 * Every repo gets its own feature registry, online store and model store under the notebooks' working folder
 * (`<workDir>/repos/<name>_<hash>/`), so the notebooks never touch the repo's own `model_store`.
 *
 * @example
 * ```ts
 * import { notebookSettings } from "./settings.ts";
 * import { edaPlanOf, openNotebookData } from "./repo_data.ts";
 * const data = await openNotebookData(notebookSettings()); // the repo of NOTEBOOK_REPO, else the credit tutorial
 * const plan = await edaPlanOf(data);
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { basename, join } from "node:path";
import { existsSync } from "node:fs";
import type { FeatureStoreConfig } from "../feature_store/config.ts";
import { FeatureStore } from "../feature_store/feature_store.ts";
import type { FeatureRepo } from "../feature_store/definitions.ts";
import { readTable, timestampMicros, writeTable } from "../io/mod.ts";
import type { FeatureSpec, RangeRule } from "../model/preprocess.ts";
import type { ThresholdPolicy } from "../model/policy.ts";
import { getAliases } from "../model/registry.ts";
import { loadModel, type ModelScorer, trainModel, type TrainOptions, type TrainResult } from "../model/train.ts";
import { splitByTime } from "../monitoring/split.ts";
import {
  featureTimeCheck,
  type FeatureTimeResult,
  type SourceRows,
  type SplitOverlap,
  splitOverlap,
} from "../model/leakage.ts";
import { type OpenedRepo, openRepo, trainingSourceOf } from "../repo/load.ts";
import type { RequestField } from "../repo/spec.ts";
import { scoreRepoRows } from "../scoring/score_repo.ts";
import type { ScoringJobResult } from "../scoring/job.ts";
import type { HistogramOptions, SegmentOptions } from "../eda/mod.ts";
import type { NotebookSettings } from "./settings.ts";
import type { CreditNotebookDataOptions } from "../credit/notebook_data.ts";

/** What a model trains on (a repo's training source, or the credit tutorial's). */
export interface NotebookSource {
  kind: string;
  repo: FeatureRepo;
  /** Entity rows (label, event time, request columns). */
  entities: string;
  /** Stored features `view:feature`. */
  features: string[];
  spec: FeatureSpec;
}

/** How the notebooks name things of the data (rows, the bad outcome, its rate). */
export interface NotebookWording {
  /** One entity row ("application", "claim"). */
  row: string;
  /** Entity rows ("applications"). */
  rows: string;
  /** The rows labelled 1 ("defaults", "rows with fraud = 1"). */
  positives: string;
  /** The label's rate, capitalized ("Default rate", "fraud rate"). */
  rate: string;
  /** Column header saying whether a row was labelled 1 ("defaulted", "fraud"). */
  outcome: string;
}

/** The model the notebooks train (the repo's model spec). */
export interface NotebookModel {
  name: string;
  policy: ThresholdPolicy;
  modelType: string;
  seed: number;
}

/** The data of a notebook run: the same shape for a user's repo and for the credit tutorial. */
export interface NotebookData {
  /** "repo" for a user's repo; "generated" or "real" for the credit tutorial. */
  kind: string;
  /** One line saying what the data is. */
  description: string;
  source: NotebookSource;
  /** Feature store settings with the notebooks' own registry, online store and model store. */
  config: FeatureStoreConfig;
  /** The notebooks' model store for this data. */
  modelStore: string;
  model: NotebookModel;
  wording: NotebookWording;
  /** The opened repo (null for the credit tutorial's notebook data). */
  opened: OpenedRepo | null;
  /** Sentences about the preprocessing of this model (modeling notebook). */
  preprocessingNote: string;
}

/** One table of the EDA besides the entity rows (a view's source). */
export interface EdaSourceSection {
  /** Heading, e.g. `Source of view "policies"`. */
  heading: string;
  /** Markdown prose under the heading. */
  intro: string;
  /** Table name in captions. */
  name: string;
  /** The file, or null when this data set has none (then `absent` is shown). */
  path: string | null;
  absent?: string;
  /** Key columns: the section counts rows per key. */
  keyColumns?: string[];
  /** What keys are ("people", "keys"). */
  keyNoun?: string;
  /** What one key is ("person", "key"). */
  keyOne?: string;
  /** What a row is ("snapshots", "rows"). */
  rowNoun?: string;
  valueCounts: { column: string; top?: number; caption: string }[];
  histograms: { column: string; options: HistogramOptions }[];
  histogramTitle: string;
}

/** What the EDA notebook shows, table by table. */
export interface EdaPlan {
  entity: {
    heading: string;
    intro: string;
    name: string;
    path: string;
    label: string;
    timestamp: string;
    /** Prose of the rate-over-time section. */
    timeIntro: string;
    segments: [string, SegmentOptions][];
    distributionsIntro: string;
    histograms: { column: string; options: HistogramOptions }[];
    histogramTitle: string;
    valueCounts: { column: string; top?: number; caption: string }[];
  };
  sources: EdaSourceSection[];
  /** Segments of the joined training set (stored features), drawn when the column is there. */
  joinedSegments: [string, SegmentOptions][];
}

/** Retraining windows that suit a monitoring scenario, with the reason (for runMonitor). */
export interface ScenarioRetraining {
  holdoutDays: number;
  trainDays: number;
  why: string;
}

/** A monitoring scenario: the same shape for a user's repo and for the credit tutorial. */
export interface NotebookScenario {
  kind: string;
  /** The scenario's folder (stores, derived files, scored batches, reports). */
  dir: string;
  /** Every labelled row, with the scenario's stores: the retraining's data. */
  data: NotebookData;
  /** The same stores with only the rows before the cutoff: what the champion learns from. */
  base: NotebookData;
  /** The repo as the batch scorer sees it (the scenario's model store). */
  opened: OpenedRepo;
  cutoff: string;
  end: string;
  /** The recent rows to score, without their label (Parquet). */
  applications: string;
  rows: { base: number; recent: number };
  scored: string;
  reports: string;
  retraining: ScenarioRetraining;
  /** Sentences saying what the scenario is. */
  description: string;
  /** Markdown: how the scenario was built, for the notebook's data section. */
  intro: string;
}

const count = (n: number) => n.toLocaleString("en-US");

/** A short stable hash of a text (FNV-1a, 8 hex digits). */
function hash8(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * The repo's settings with the notebooks' own registry, SQLite online store and model store in `storeDir`; the
 * offline store, data folder and S3 settings stay the repo's.
 *
 * @example
 * ```ts
 * notebookRepoConfig(opened.config, "/tmp/nb").model_store; // "/tmp/nb/models"
 * ```
 */
export function notebookRepoConfig(config: FeatureStoreConfig, storeDir: string): FeatureStoreConfig {
  return {
    ...config,
    registry: join(storeDir, "registry.json"),
    model_store: join(storeDir, "models"),
    online_store: { type: "sqlite", path: join(storeDir, "online_store.db") },
    source: `${config.source} (notebook stores in ${storeDir})`,
  };
}

/** The notebooks' folder of a repo: `<workDir>/repos/<folder name>_<hash of its path>`. */
export function repoWorkDir(settings: Pick<NotebookSettings, "workDir">, repoDir: string): string {
  const name = basename(repoDir).replace(/[^A-Za-z0-9_-]/g, "_") || "repo";
  return join(settings.workDir, "repos", `${name}_${hash8(repoDir)}`);
}

/** The wording of a repo's notebooks, from its model spec (subject and label). */
export function repoWording(opened: Pick<OpenedRepo, "model">): NotebookWording {
  const row = opened.model.subject ?? "row";
  const label = opened.model.label;
  return {
    row,
    rows: row.endsWith("s") ? row : `${row}s`,
    positives: `rows with ${label} = 1`,
    rate: `${label} rate`,
    outcome: label,
  };
}

/**
 * The notebook data of the repo in `settings.repo` (see the module doc).
 *
 * @example
 * ```ts
 * const data = await repoNotebookData({ ...notebookSettings(), repo: "/srv/claims" });
 * data.source.spec.label; // "fraud"
 * ```
 */
export async function repoNotebookData(
  settings: NotebookSettings,
  opts: { opened?: OpenedRepo } = {},
): Promise<NotebookData> {
  if (!settings.repo && !opts.opened) {
    throw new Error(`No repo: set "NOTEBOOK_REPO" (deno task notebooks --repo DIR)`);
  }
  const opened = opts.opened ?? await openRepo({ dir: settings.repo });
  const source = trainingSourceOf(opened);
  const storeDir = repoWorkDir(settings, opened.dir);
  const config = notebookRepoConfig(opened.config, storeDir);
  const m = opened.model;
  const views = source.repo.views.map((v) => v.name);
  return {
    kind: "repo",
    description: `the feature repo \`${opened.dir}\`: entity rows \`${source.entities}\` (label \`${m.label}\`, ` +
      `event time \`${m.timestamp}\`)${views.length ? `, views ${views.map((v) => `\`${v}\``).join(", ")}` : ""}; ` +
      `model \`${m.name}\` (${m.modelType}); the notebooks' stores are in \`${storeDir}\``,
    source,
    config,
    modelStore: config.model_store,
    model: { name: m.name, policy: m.policy, modelType: m.modelType, seed: settings.seed },
    wording: repoWording(opened),
    opened: { ...opened, config },
    preprocessingNote: `The model spec of \`${opened.module}\` lists ${m.features.length} features` +
      `${m.protected?.length ? `; protected attributes kept out of the inputs: ${m.protected.join(", ")}` : ""}.`,
  };
}

/**
 * The notebook data of a run: the repo of `NOTEBOOK_REPO` when set, else the credit tutorial's data set
 * (lib/credit/notebook_data.ts, loaded only then).
 *
 * @example
 * ```ts
 * const data = await openNotebookData(notebookSettings(), { progress: (label, total, unit) => notebookProgress({ label, total, unit }) });
 * ```
 */
export async function openNotebookData(
  settings: NotebookSettings,
  opts: Pick<CreditNotebookDataOptions, "progress"> = {},
): Promise<NotebookData> {
  if (settings.repo) return await repoNotebookData(settings);
  const credit = await import("../credit/notebook_data.ts");
  return await credit.creditNotebookData(settings, opts);
}

/**
 * The EDA plan of the notebook data: {@linkcode repoEdaPlan} for a repo, the credit tutorial's own plan otherwise.
 *
 * @example
 * ```ts
 * const plan = await edaPlanOf(data);
 * ```
 */
export async function edaPlanOf(data: NotebookData): Promise<EdaPlan> {
  if (data.opened) return await repoEdaPlan(data);
  const credit = await import("../credit/notebook_data.ts");
  return credit.creditEdaPlan(data as import("../credit/notebook_data.ts").CreditNotebookData);
}

/** What the EDA's data-quality section checks against: the ranges the data's model spec declares, and units. */
export interface EdaChecks {
  /** The range rules of the spec (its `rules`, by default its request fields' min/max/maxField); may be empty. */
  rules: RangeRule[];
  /** Where the rules come from, for the notebook's prose. */
  rulesFrom: string;
  /** Unit per request field that declares one ("$", "%", "years"). */
  units: Record<string, string>;
}

/**
 * The ranges and units the EDA checks the data against: the repo's model spec for a repo, the credit tutorial's spec
 * otherwise (loaded only then). Nothing is assumed: a spec declaring no range gives no rule.
 *
 * @example
 * ```ts
 * const checks = await edaChecksOf(data);
 * eda.rangeFlags(rows, checks.rules);
 * ```
 */
export async function edaChecksOf(data: NotebookData): Promise<EdaChecks> {
  let request: readonly RequestField[];
  let where: string;
  if (data.opened) {
    request = data.opened.model.request;
    where = `the model spec of \`${data.opened.module}\``;
  } else {
    request = (await import("../credit/features.ts")).CREDIT_REQUEST;
    where = "the credit tutorial's model spec (`lib/credit/model_spec.ts`)";
  }
  const units: Record<string, string> = {};
  for (const f of request) if (f.unit) units[f.name] = f.unit;
  return { rules: [...(data.source.spec.rules ?? [])], rulesFrom: where, units };
}

/**
 * The monitoring scenario of the notebook data: {@linkcode repoMonitoringScenario} for a repo, the credit
 * tutorial's (lib/credit/monitoring_scenario.ts: a later period with a downturn on generated data) otherwise.
 *
 * @example
 * ```ts
 * const scenario = await monitoringScenarioOf(settings, data);
 * ```
 */
export async function monitoringScenarioOf(settings: NotebookSettings, data: NotebookData): Promise<NotebookScenario> {
  if (data.opened) return await repoMonitoringScenario(settings, data);
  const credit = await import("../credit/monitoring_scenario.ts");
  return await credit.creditMonitoringScenario(
    settings,
    data as import("../credit/notebook_data.ts").CreditNotebookData,
  );
}

/** A feature store over the data's own settings and definitions (close it when done). */
export async function openNotebookStore(data: NotebookData): Promise<FeatureStore> {
  return await FeatureStore.open({ config: data.config, repo: data.source.repo });
}

/** The data's entity rows joined point-in-time with its stored features (the training set). */
export async function notebookTrainingSet(data: NotebookData): Promise<arrow.Table> {
  const store = await openNotebookStore(data);
  try {
    return await store.getHistoricalFeatures({ entities: data.source.entities, features: data.source.features });
  } finally {
    await store.close();
  }
}

/**
 * Trains the data's model (the spec's name, policy and model type) into the notebooks' model store.
 *
 * @example
 * ```ts
 * const result = await trainNotebookModel(data, { trainingTable: training });
 * ```
 */
export async function trainNotebookModel(
  data: NotebookData,
  opts: Omit<TrainOptions, "source" | "root" | "name"> & { name?: string } = {},
): Promise<TrainResult> {
  const store = opts.trainingTable ? undefined : await openNotebookStore(data);
  try {
    return await trainModel({
      featureSpec: data.source.spec,
      modelType: data.model.modelType,
      policy: data.model.policy,
      seed: data.model.seed,
      name: data.model.name,
      dataKind: data.source.kind,
      ...opts,
      source: data.source,
      store,
      root: data.modelStore,
    });
  } finally {
    await store?.close();
  }
}

/** What {@linkcode ensureNotebookModel} returns. */
export interface EnsuredNotebookModel {
  scorer: ModelScorer;
  version: number;
  /** The training run when a model was trained now. */
  trained: TrainResult | null;
}

/**
 * The data's champion, trained and registered first when its model store has none.
 *
 * @example
 * ```ts
 * const { scorer, version } = await ensureNotebookModel(scenario.base);
 * ```
 */
export async function ensureNotebookModel(
  data: NotebookData,
  opts: Omit<TrainOptions, "source" | "root" | "store" | "name"> & { name?: string } = {},
): Promise<EnsuredNotebookModel> {
  const name = opts.name ?? data.model.name;
  let trained: TrainResult | null = null;
  const aliases = await getAliases({ root: data.modelStore, name });
  if (!("champion" in aliases)) trained = await trainNotebookModel(data, { ...opts, name });
  const scorer = await loadModel({ root: data.modelStore, name, alias: "champion" });
  return { scorer, version: scorer.version!, trained };
}

// ---------------------------------------------------------------------------------------------------------------
// EDA

function numericValues(v: arrow.Vector): number[] {
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const x = v.get(i);
    if (x === null || x === undefined) continue;
    const n = Number(x);
    if (Number.isFinite(n)) out.push(n);
  }
  return out;
}

function isNumeric(t: arrow.DataType): boolean {
  return arrow.DataType.isInt(t) || arrow.DataType.isFloat(t) || arrow.DataType.isDecimal(t);
}

function isText(t: arrow.DataType): boolean {
  return arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t) || arrow.DataType.isDictionary(t) ||
    arrow.DataType.isBool(t);
}

/**
 * Histogram options that suit a numeric column: few whole values get a bin each; a long right tail of non-negative
 * values (maximum above 20 times the median) a log scale; otherwise 30 bins cut at the 99th percentile.
 *
 * @example
 * ```ts
 * histogramOptionsFor(table, "claim_amount"); // { bins: 30, log: true }
 * ```
 */
export function histogramOptionsFor(table: arrow.Table, column: string): HistogramOptions {
  const values = numericValues(table.getChild(column)!).sort((a, b) => a - b);
  if (values.length === 0) return { bins: 10 };
  const whole = values.every(Number.isInteger);
  const distinct = new Set(values).size;
  if (whole && distinct <= 30) return { bins: Math.max(1, distinct) };
  const min = values[0], max = values[values.length - 1], median = values[Math.floor(values.length / 2)];
  if (min > 0 && max > 20 * Math.max(median, 1)) return { bins: 30, log: true };
  return { bins: 30, upperQuantile: 0.99 };
}

/** Columns of a table that describe a row (numeric or low-cardinality text), leaving out `skip`. */
function describedColumns(table: arrow.Table, skip: Set<string>): { numeric: string[]; text: string[] } {
  const numeric: string[] = [];
  const text: string[] = [];
  for (const f of table.schema.fields) {
    if (skip.has(f.name)) continue;
    if (isNumeric(f.type)) numeric.push(f.name);
    else if (isText(f.type)) {
      const seen = new Set<unknown>();
      const v = table.getChild(f.name)!;
      for (let i = 0; i < v.length && seen.size <= 50; i++) seen.add(v.get(i));
      if (seen.size <= 50) text.push(f.name);
    }
  }
  return { numeric, text };
}

/**
 * The EDA plan of a repo's notebook data: the entity rows (label rate over time and by each category and number
 * the request carries, distributions), each view's source (rows per key, distributions, value counts) and the
 * joined stored features by segment.
 *
 * @example
 * ```ts
 * const plan = await repoEdaPlan(await repoNotebookData(settings));
 * plan.entity.segments.map(([name]) => name);
 * ```
 */
export async function repoEdaPlan(data: NotebookData): Promise<EdaPlan> {
  const opened = data.opened;
  if (!opened) throw new Error(`Notebook data "${data.kind}" is not a repo's; use its own EDA plan`);
  const m = opened.model;
  const w = data.wording;
  const entities = await readTable(data.source.entities);
  const keys = new Set(data.source.repo.entities.flatMap((e) => e.joinKeys));
  const ids = new Set((m.idColumns ?? []).map((c) => c.name));
  const skip = new Set([m.label, m.timestamp, "created_timestamp", ...keys, ...ids]);
  const present = new Set(entities.schema.fields.map((f) => f.name));
  const segments: [string, SegmentOptions][] = [];
  for (const f of m.request) {
    if (!present.has(f.name) || skip.has(f.name)) continue;
    if (f.type === "category") segments.push([f.label ?? f.name, { segment: f.name, target: m.label, sort: "rate" }]);
  }
  for (const f of m.request) {
    if (!present.has(f.name) || skip.has(f.name)) continue;
    if (f.type === "integer" || f.type === "number") {
      segments.push([f.label ?? f.name, { segment: f.name, target: m.label, bands: 5 }]);
    }
  }
  const described = describedColumns(entities, skip);
  const sources: EdaSourceSection[] = [];
  const seenPaths = new Set<string>();
  for (const view of data.source.repo.views) {
    if (!data.source.features.some((r) => r.startsWith(`${view.name}:`))) continue;
    const src = view.source;
    const viewKeys = view.entities.flatMap((e) => e.joinKeys);
    if (src.kind !== "file_source") {
      sources.push({
        heading: `Source of view "${view.name}"`,
        intro: `The view reads ${src.kind.replace("_", " ")} \`${src.name}\`, which this notebook does not read ` +
          `directly; its features appear in the training set below.`,
        name: view.name,
        path: null,
        absent: `Not a file source: see the training set.`,
        valueCounts: [],
        histograms: [],
        histogramTitle: "",
      });
      continue;
    }
    if (seenPaths.has(src.path)) continue;
    seenPaths.add(src.path);
    const table = await readTable(src.path);
    const own = describedColumns(table, new Set([...viewKeys, src.timestampField, "created_timestamp"]));
    sources.push({
      heading: `Source of view "${view.name}"`,
      intro: `\`${src.path}\`: rows keyed by ${viewKeys.map((k) => `\`${k}\``).join(", ")} with their event time ` +
        `\`${src.timestampField}\`; the join takes, for each ${w.row}, the latest row at or before its time` +
        `${view.ttlSeconds ? ` and at most ${Math.round(view.ttlSeconds / 86400)} days old` : " (no ttl)"}.` +
        (view.description ? ` ${view.description}` : ""),
      name: view.name,
      path: src.path,
      keyColumns: viewKeys,
      keyNoun: "keys",
      keyOne: "key",
      rowNoun: "rows",
      valueCounts: own.text.map((c) => ({ column: c, top: 12, caption: `${view.name}: ${c}` })),
      histograms: own.numeric.map((c) => ({ column: c, options: histogramOptionsFor(table, c) })),
      histogramTitle: `${view.name}: numeric columns`,
    });
  }
  const joinedSegments: [string, SegmentOptions][] = [];
  for (const ref of data.source.features) {
    const name = ref.split(":")[1];
    if (present.has(name)) continue; // the entity rows' own column (a clash the join resolves)
    const view = data.source.repo.views.find((v) => v.name === ref.split(":")[0]);
    const field = view?.schema.find((f) => f.name === name);
    if (!field) continue;
    const text = field.dtype === "string" || field.dtype === "bool";
    joinedSegments.push([
      field.description || name,
      text ? { segment: name, target: m.label, sort: "rows" } : { segment: name, target: m.label, bands: 5 },
    ]);
  }
  return {
    entity: {
      heading: `Entity rows: ${w.rows}`,
      intro: `One row per ${w.row} (\`${data.source.entities}\`): the columns that arrive with each request ` +
        `(${m.request.map((f) => `\`${f.name}\``).join(", ")}), when it happened (\`${m.timestamp}\`) and the ` +
        `label \`${m.label}\` (1 = the outcome the policy must catch).`,
      name: basename(data.source.entities),
      path: data.source.entities,
      label: m.label,
      timestamp: m.timestamp,
      timeIntro: `The model is trained on the oldest ${w.rows} and tested on the newest, so a ${w.rate} that moves ` +
        `over time matters: the test period may not look like the training period.`,
      segments,
      distributionsIntro: "Numeric columns with a long right tail are drawn on a log scale, the others cut at their " +
        "99th percentile (what lies above is counted in the subtitle).",
      histograms: described.numeric.map((c) => ({ column: c, options: histogramOptionsFor(entities, c) })),
      histogramTitle: `${basename(data.source.entities)}: numeric columns`,
      valueCounts: described.text.map((c) => ({ column: c, top: 12, caption: c })),
    },
    sources,
    joinedSegments,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Monitoring

interface RepoScenarioMeta {
  format: "repo-monitoring-scenario/1";
  entities: string;
  cutoff: string;
  start: string;
  end: string;
  rows: { base: number; recent: number };
}

const META = "scenario.json";
const BASE_ROWS = "base_rows.parquet";
const RECENT_ROWS = "recent_rows.parquet";

function withoutColumn(table: arrow.Table, column: string): arrow.Table {
  return table.select(table.schema.fields.filter((f) => f.name !== column).map((f) => f.name));
}

function timeRange(table: arrow.Table, column: string): [bigint, bigint] {
  const v = table.getChild(column)!;
  const us = timestampMicros(v);
  let lo = 0n, hi = 0n, any = false;
  for (let i = 0; i < us.length; i++) {
    if (!v.isValid(i)) continue;
    if (!any || us[i] < lo) lo = us[i];
    if (!any || us[i] > hi) hi = us[i];
    any = true;
  }
  return [lo, hi];
}

const iso = (us: bigint) => new Date(Number(us / 1000n)).toISOString();

/**
 * A monitoring scenario for any repo: the champion learns from the older `1 - newestShare` of the entity rows (by the
 * spec's timestamp); the newest rows, without their label, are the recent batch to score and monitor. The split is
 * written once per repo (again when the entity rows change); the scenario's model store, scored batches and reports
 * are emptied at each call unless `fresh: false`.
 *
 * @example
 * ```ts
 * const scenario = await repoMonitoringScenario(settings, await repoNotebookData(settings));
 * scenario.applications; // ".../repos/claims_1a2b3c4d/monitoring/recent_rows.parquet"
 * ```
 */
export async function repoMonitoringScenario(
  settings: NotebookSettings,
  data: NotebookData,
  opts: { newestShare?: number; fresh?: boolean } = {},
): Promise<NotebookScenario> {
  const opened = data.opened;
  if (!opened) throw new Error(`Notebook data "${data.kind}" is not a repo's; use its own monitoring scenario`);
  const newestShare = opts.newestShare ?? 0.2;
  const dir = join(repoWorkDir(settings, opened.dir), "monitoring");
  const { label, timestamp } = opened.model;
  const rows = await readTable(data.source.entities);
  if (!rows.getChild(timestamp)) {
    throw new Error(`Entity rows "${data.source.entities}" have no event time column "${timestamp}"`);
  }
  const { older, newer, cutoff } = splitByTime(rows, { column: timestamp, newestShare });
  if (newer.numRows === 0 || older.numRows === 0 || cutoff === null) {
    throw new Error(
      `Entity rows "${data.source.entities}" (${rows.numRows}) cannot be split into older and newest rows by ` +
        `"${timestamp}"`,
    );
  }
  await Deno.mkdir(dir, { recursive: true });
  const [start, end] = timeRange(rows, timestamp);
  await writeTable(join(dir, BASE_ROWS), older);
  await writeTable(join(dir, RECENT_ROWS), withoutColumn(newer, label));
  const meta: RepoScenarioMeta = {
    format: "repo-monitoring-scenario/1",
    entities: data.source.entities,
    cutoff,
    start: iso(start),
    end: iso(end),
    rows: { base: older.numRows, recent: newer.numRows },
  };
  await Deno.writeTextFile(join(dir, META), JSON.stringify(meta, null, 1) + "\n");
  const config = notebookRepoConfig(opened.config, dir);
  const scored = join(dir, "scored");
  const reports = join(dir, "reports");
  if (opts.fresh ?? true) {
    for (const d of [config.model_store, scored, reports, config.registry, join(dir, "online_store.db")]) {
      if (existsSync(d)) await Deno.remove(d, { recursive: true });
    }
  }
  const w = data.wording;
  const all: NotebookData = {
    ...data,
    config,
    modelStore: config.model_store,
    opened: { ...opened, config },
    description: `${count(rows.numRows)} ${w.rows} of ${data.source.entities}`,
  };
  const base: NotebookData = {
    ...all,
    source: { ...all.source, entities: join(dir, BASE_ROWS) },
    description: `the ${count(older.numRows)} ${w.rows} before ${cutoff.slice(0, 10)} of ${all.description}`,
  };
  const spanDays = Math.max(1, Number(end - start) / 86_400_000_000);
  const holdoutDays = Math.max(1, Math.ceil(spanDays * 0.1));
  const day = (s: string) => s.slice(0, 10);
  const share = Math.round(100 * newer.numRows / rows.numRows);
  return {
    kind: "repo",
    dir,
    data: all,
    base,
    opened: { ...opened, config },
    cutoff,
    end: meta.end,
    applications: join(dir, RECENT_ROWS),
    rows: meta.rows,
    scored,
    reports,
    retraining: {
      holdoutDays,
      trainDays: Math.ceil(spanDays),
      why: `The entity rows span ${Math.round(spanDays)} days: the holdout is their newest ${holdoutDays} days ` +
        `(about a tenth), and the challenger trains on every labelled ${w.row} before it.`,
    },
    description: `The champion learns from the ${count(older.numRows)} older ${w.rows} (${day(meta.start)} to ` +
      `before ${day(cutoff)}); the newest ${count(newer.numRows)} (${share}%, ${day(cutoff)} to ${
        day(meta.end)
      }) play the recent batch, scored without their label \`${label}\`.`,
    intro: `Monitoring needs ${w.rows} the champion has not seen, from later than its training rows. This repo's ` +
      `entity rows are split by their event time \`${timestamp}\`: the older ${100 - share}% train the champion, ` +
      `the newest ${share}% are given to the batch scorer without their label, as they would arrive; the labels ` +
      `come back later and are what the retraining learns from and is judged on. Whether they drift is for the ` +
      `tests to say.`,
  };
}

/**
 * Scores a scenario's recent rows with its champion through the repo's batch scorer (`scoreRepoRows`), with
 * quarantine and reasons for the rejected rows.
 *
 * @example
 * ```ts
 * const job = await scoreScenario(scenario);
 * job.manifest.counts.scored;
 * ```
 */
export async function scoreScenario(scenario: NotebookScenario): Promise<ScoringJobResult> {
  return await scoreRepoRows({
    repo: scenario.opened,
    input: [scenario.applications],
    output: scenario.scored,
    name: scenario.data.model.name,
    quarantine: true,
    reasons: "rejected",
    progress: "silent",
    workers: 0,
  });
}

/**
 * A threshold policy in words, for the notebooks.
 *
 * @example
 * ```ts
 * policyText({ kind: "target_recall", targetRecall: 0.9 }); // "target recall 0.9"
 * ```
 */
export function policyText(policy: ThresholdPolicy): string {
  return policy.kind === "target_recall"
    ? `target recall ${policy.targetRecall}`
    : `least expected cost (a missed 1 costs ${policy.costMissedDefault}, a rejected 0 costs ${policy.costRejectedGood})`;
}

// ---------------------------------------------------------------------------------------------------------------
// Modeling: the leakage check's data

/**
 * The leakage check of the modeling notebook on any repo (lib/model/leakage.ts): the split's time ranges and ids, and
 * for up to `sample` rows of the training set (spread over time) where each view's joined values come from in the
 * view's own source file (Parquet/CSV, local or s3://). Views whose source cannot be read (a Redshift table, a missing
 * file) are listed under `skipped` with the reason.
 *
 * @example
 * ```ts
 * const leakage = await notebookLeakageCheck(data, training, split);
 * leakage.split.ok; leakage.features; // per view: checked, at_or_before, leaks, unmatched
 * ```
 */
export async function notebookLeakageCheck(
  data: NotebookData,
  training: arrow.Table,
  split: Record<"train" | "validation" | "test", { rows: readonly Record<string, unknown>[] }>,
  opts: { sample?: number; idColumn?: string } = {},
): Promise<{ split: SplitOverlap; features: FeatureTimeResult[]; skipped: { view: string; reason: string }[] }> {
  const ts = data.source.spec.timestampColumn ?? "event_timestamp";
  const timeOf = (v: unknown) =>
    v instanceof Date
      ? v.getTime()
      : typeof v === "bigint"
      ? Number(v) / 1000
      : typeof v === "number"
      ? v
      : Date.parse(String(v));
  const id = opts.idColumn;
  const parts = (["train", "validation", "test"] as const).map((name) => ({
    name,
    times: split[name].rows.map((r) => timeOf(r[ts])),
    ids: id ? split[name].rows.map((r) => r[id]) : undefined,
  }));
  const rows = tableToRecords(training);
  const n = Math.min(opts.sample ?? 300, rows.length);
  const sample = Array.from({ length: n }, (_, k) => rows[Math.floor(k * rows.length / n)])
    .map((r) => ({ ...r, time: timeOf(r[ts]) }));
  const wanted = new Set(data.source.features);
  const sources: SourceRows[] = [];
  const skipped: { view: string; reason: string }[] = [];
  for (const view of data.source.repo.views) {
    const features = view.schema.map((f) => f.name).filter((f) => wanted.has(`${view.name}:${f}`));
    if (!features.length) continue;
    if (view.source.kind !== "file_source") {
      skipped.push({ view: view.name, reason: `a ${view.source.kind}, not a file` });
      continue;
    }
    try {
      const table = await readTable(view.source.path);
      const rename = view.source.fieldMapping;
      const joinKeys = view.entities.flatMap((e) => e.joinKeys);
      const records = tableToRecords(table).map((r) => {
        const out: Record<string, unknown> = { time: timeOf(r[view.source.timestampField]) };
        for (const [k, v] of Object.entries(r)) out[rename[k] ?? k] = typeof v === "bigint" ? Number(v) : v;
        return out;
      });
      sources.push({ view: view.name, joinKeys, features, rows: records });
    } catch (err) {
      skipped.push({ view: view.name, reason: (err as Error).message });
    }
  }
  return { split: splitOverlap(parts), features: featureTimeCheck(sample, sources), skipped };
}

function tableToRecords(table: arrow.Table): Record<string, unknown>[] {
  const names = table.schema.fields.map((f) => f.name);
  const cols = names.map((n) => table.getChild(n)!);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const r: Record<string, unknown> = {};
    names.forEach((n, k) => {
      const v = cols[k].get(i);
      r[n] = typeof v === "bigint" ? Number(v) : v;
    });
    out.push(r);
  }
  return out;
}
