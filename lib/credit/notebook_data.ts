/**
 * The credit data a notebook runs on, chosen from its settings (lib/notebook/settings.ts): the real tutorial files
 * in `../shared/data/feast-credit` (loans and zipcodes; they have no credit history), or generated tables — an
 * existing folder (`NOTEBOOK_DATA_DIR`), else a small set generated once per row count and seed under the
 * notebooks' working folder, so a fresh clone runs the notebooks without `deno task generate-data`. Each data set
 * gets its own feature registry, online store and model store next to it, so notebooks never touch the demo's.
 *
 * @example
 * ```ts
 * import { notebookSettings } from "../notebook/settings.ts";
 * import { creditNotebookData, openCreditStore } from "./notebook_data.ts";
 * const data = await creditNotebookData(notebookSettings());
 * const store = await openCreditStore(data);
 * const training = await store.getHistoricalFeatures({ entities: data.tables.loans, features: data.source.features });
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { type FeatureStoreConfig, resolveConfig } from "../feature_store/config.ts";
import { FeatureStore } from "../feature_store/feature_store.ts";
import type { NotebookSettings } from "../notebook/settings.ts";
import { type CreditTrainingSource, creditTrainingSource, SHARED_CREDIT_DIR } from "./model_spec.ts";
import { generateData, type TableProgress, type TableReport } from "./write_data.ts";
import { getAliases } from "../model/registry.ts";
import { loadModel, type ModelScorer, trainModel, type TrainOptions, type TrainResult } from "../model/train.ts";
import { CREDIT_MODEL_DEFAULTS } from "./model_spec.ts";
import type { EdaPlan, NotebookData, NotebookWording } from "../notebook/repo_data.ts";

/** The table files of a credit data set. */
export interface CreditTables {
  loans: string;
  zipcodes: string;
  /** Null for the real files (they have none). */
  creditHistory: string | null;
}

/** How the credit notebooks name things. */
export const CREDIT_WORDING: NotebookWording = {
  row: "application",
  rows: "applications",
  positives: "defaults",
  rate: "Default rate",
  outcome: "defaulted",
};

const CREDIT_MODEL = {
  name: CREDIT_MODEL_DEFAULTS.name,
  policy: { kind: "target_recall" as const, targetRecall: CREDIT_MODEL_DEFAULTS.targetRecall },
  modelType: CREDIT_MODEL_DEFAULTS.modelType,
  seed: CREDIT_MODEL_DEFAULTS.seed,
};

const CREDIT_PREPROCESSING = "The zipcode features stay out of the model (they lowered test AUC on the real loans " +
  "and invite redlining) but remain in the training set for monitoring.";

/** What {@linkcode creditNotebookData} returns: the notebooks' data shape (lib/notebook/repo_data.ts) and more. */
export interface CreditNotebookData extends NotebookData {
  kind: "generated" | "real";
  /** Folder of the tables. */
  dir: string;
  tables: CreditTables;
  /** The training source (feature repo, entity rows, feature references, model spec). */
  source: CreditTrainingSource;
  /** Feature store settings local to this data set (file offline store, SQLite online store). */
  config: FeatureStoreConfig;
  /** Model store (runs and registry) of this data set. */
  modelStore: string;
  /** Tables written now (null when they were already there or are the real files). */
  generated: TableReport[] | null;
  /** One line saying what the data is, for the notebook. */
  description: string;
  opened: null;
}

/** Options of {@linkcode creditNotebookData}. */
export interface CreditNotebookDataOptions {
  /** Folder of the real files (default ../shared/data/feast-credit). */
  sharedDir?: string;
  /** Progress while generating (e.g. lib/notebook's notebookProgress). */
  progress?: (table: string, total: number, unit: string) => TableProgress;
  log?: (line: string) => void;
}

const TABLES = ["loan_table", "zipcode_table", "credit_history"] as const;

function hasTables(dir: string, names: readonly string[]): boolean {
  return names.every((t) => existsSync(join(dir, `${t}.parquet`)));
}

/**
 * Feature store settings local to a data set: tables in `dataDir`, file offline store, and the registry, SQLite
 * online store and model store in `storeDir` (whatever `FEATURE_STORE__*` says).
 *
 * @example
 * ```ts
 * notebookStoreConfig("data/notebooks/generated_2000_seed42", "data/notebooks/generated_2000_seed42").model_store;
 * // "data/notebooks/generated_2000_seed42/models"
 * ```
 */
export function notebookStoreConfig(dataDir: string, storeDir: string): FeatureStoreConfig {
  return localConfig(dataDir, storeDir);
}

function localConfig(dataDir: string, storeDir: string): FeatureStoreConfig {
  return resolveConfig({
    env: {}, // notebooks keep to their own local stores whatever FEATURE_STORE__* says
    overrides: {
      data_dir: dataDir,
      registry: join(storeDir, "registry.json"),
      model_store: join(storeDir, "models"),
      offline_store: { type: "file" },
      online_store: { type: "sqlite", path: join(storeDir, "online_store.db") },
    },
    source: "notebook settings",
  });
}

/**
 * Picks (and when needed generates) the data set of a notebook run; see the module doc.
 *
 * @example
 * ```ts
 * const data = await creditNotebookData({ ...notebookSettings(), data: "generated", rows: 2000 });
 * data.tables.creditHistory; // ".../data/notebooks/generated_2000_seed42/credit_history.parquet"
 * ```
 */
export async function creditNotebookData(
  settings: NotebookSettings,
  opts: CreditNotebookDataOptions = {},
): Promise<CreditNotebookData> {
  const shared = (opts.sharedDir ?? SHARED_CREDIT_DIR).replace(/\/+$/, "");
  const realPresent = hasTables(shared, ["loan_table", "zipcode_table"]);
  if (settings.data === "real" && !realPresent) {
    throw new Error(`Setting "NOTEBOOK_DATA" is "real" but the real loan and zipcode tables are not in "${shared}"`);
  }
  if (settings.data === "real" || (settings.data === "auto" && realPresent && !settings.dataDir)) {
    const storeDir = join(settings.workDir, "real");
    const config = localConfig(shared, storeDir);
    return {
      kind: "real",
      dir: shared,
      tables: {
        loans: join(shared, "loan_table.parquet"),
        zipcodes: join(shared, "zipcode_table.parquet"),
        creditHistory: null,
      },
      source: creditTrainingSource("real", { sharedDir: shared }),
      config,
      modelStore: config.model_store,
      generated: null,
      model: CREDIT_MODEL,
      wording: CREDIT_WORDING,
      opened: null,
      preprocessingNote: CREDIT_PREPROCESSING,
      description: `the real loan and zipcode tables of Feast's credit-scoring tutorial (${shared}); ` +
        "they have no credit history, so the model uses loan and zipcode features only",
    };
  }
  let dir: string;
  let generated: TableReport[] | null = null;
  if (settings.dataDir) {
    dir = settings.dataDir;
    const missing = TABLES.filter((t) => !existsSync(join(dir, `${t}.parquet`)));
    if (missing.length) {
      throw new Error(
        `Setting "NOTEBOOK_DATA_DIR" is "${dir}" but it lacks ${missing.map((t) => `"${t}.parquet"`).join(", ")}; ` +
          `run "deno task generate-data --out ${dir}" first`,
      );
    }
  } else {
    dir = join(settings.workDir, `generated_${settings.rows}_seed${settings.seed}`);
    if (!hasTables(dir, TABLES)) generated = await generateInto(dir, settings, opts);
  }
  const config = localConfig(dir, dir);
  return {
    kind: "generated",
    dir,
    tables: {
      loans: join(dir, "loan_table.parquet"),
      zipcodes: join(dir, "zipcode_table.parquet"),
      creditHistory: join(dir, "credit_history.parquet"),
    },
    source: creditTrainingSource("generated", { dataDir: dir }),
    config,
    modelStore: config.model_store,
    generated,
    model: CREDIT_MODEL,
    wording: CREDIT_WORDING,
    opened: null,
    preprocessingNote: CREDIT_PREPROCESSING,
    description: settings.dataDir
      ? `generated tables in ${dir}`
      : `${settings.rows.toLocaleString("en-US")} generated loans (seed ${settings.seed}) with zipcodes and ` +
        `credit history, in ${dir}`,
  };
}

/** Generates into a temporary sibling folder, then renames it: the folder appears whole or not at all. */
async function generateInto(
  dir: string,
  settings: NotebookSettings,
  opts: CreditNotebookDataOptions,
): Promise<TableReport[]> {
  const tmp = `${dir}.tmp-${Deno.pid}-${Date.now()}`;
  await Deno.mkdir(tmp, { recursive: true });
  try {
    const reports = await generateData(
      { rows: settings.rows, seed: settings.seed, out: tmp },
      { log: opts.log, progress: opts.progress ?? "silent" },
    );
    await Deno.remove(dir, { recursive: true }).catch(() => {}); // an incomplete earlier folder
    await Deno.rename(tmp, dir);
    return reports.map((r) => ({ ...r, uri: join(dir, `${r.table}.parquet`) }));
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
}

/**
 * A feature store over the data set's own settings and the matching feature repo (close it when done).
 *
 * @example
 * ```ts
 * const store = await openCreditStore(data);
 * try { await store.apply(); } finally { await store.close(); }
 * ```
 */
export async function openCreditStore(data: CreditNotebookData): Promise<FeatureStore> {
  return await FeatureStore.open({ config: data.config, repo: data.source.repo });
}

/**
 * The data set's loans joined point-in-time with their features (the training set of `deno task train`), e.g. the
 * labelled loans a monitoring job retrains on.
 *
 * @example
 * ```ts
 * const labelled = await creditTrainingSet(data); // loan columns, loan_status, and the features of data.source
 * ```
 */
export async function creditTrainingSet(data: CreditNotebookData): Promise<arrow.Table> {
  const store = await openCreditStore(data);
  try {
    return await store.getHistoricalFeatures({ entities: data.source.entities, features: data.source.features });
  } finally {
    await store.close();
  }
}

/** What {@linkcode ensureCreditModel} returns. */
export interface EnsuredModel {
  scorer: ModelScorer;
  /** The champion's version. */
  version: number;
  /** The training run when a model was trained now (no champion existed). */
  trained: TrainResult | null;
}

/**
 * The data set's champion model, trained and registered first when its model store has none (e.g. a monitoring
 * notebook run before the modeling notebook).
 *
 * @example
 * ```ts
 * const { scorer, version } = await ensureCreditModel(data);
 * scorer.decide(application);
 * ```
 */
export async function ensureCreditModel(
  data: CreditNotebookData,
  opts: Omit<TrainOptions, "source" | "root" | "store" | "name"> & { name?: string } = {},
): Promise<EnsuredModel> {
  const name = opts.name ?? CREDIT_MODEL_DEFAULTS.name;
  let trained: TrainResult | null = null;
  const aliases = await getAliases({ root: data.modelStore, name });
  if (!("champion" in aliases)) {
    const store = await openCreditStore(data);
    try {
      trained = await trainModel({
        seed: CREDIT_MODEL_DEFAULTS.seed,
        ...opts,
        name,
        source: data.source,
        store,
        root: data.modelStore,
      });
    } finally {
      await store.close();
    }
  }
  const scorer = await loadModel({ root: data.modelStore, name, alias: "champion" });
  return { scorer, version: scorer.version!, trained };
}

/**
 * What the EDA notebook shows of the credit tutorial: the loan applications (default rate per month and by segment,
 * distributions), the zipcode table and the credit history (when the data set has one), and the joined features by
 * segment.
 *
 * @example
 * ```ts
 * creditEdaPlan(data).sources.map((s) => s.name); // ["zipcode_table", "credit_history"]
 * ```
 */
export function creditEdaPlan(data: CreditNotebookData): EdaPlan {
  return {
    entity: {
      heading: "Loan applications",
      intro: "One row per application: the applicant (`dob_ssn`, age, income, home ownership, employment length), " +
        "the loan (intent, amount, interest rate), where they live (`zipcode`), when it was made (`event_timestamp`) " +
        "and whether it defaulted (`loan_status` = 1).",
      name: "loan_table",
      path: data.tables.loans,
      label: "loan_status",
      timestamp: "event_timestamp",
      timeIntro: "The model is trained on the oldest loans and tested on the newest, so a rate that moves over time " +
        "matters: the test period may not look like the training period.",
      segments: [
        ["loan intent", { segment: "loan_intent", target: "loan_status", sort: "rate" }],
        ["home ownership", { segment: "person_home_ownership", target: "loan_status", sort: "rate" }],
        ["age", { segment: "person_age", target: "loan_status", edges: [23, 26, 30, 35, 45] }],
        ["income", { segment: "person_income", target: "loan_status", bands: 5 }],
        ["loan amount", { segment: "loan_amnt", target: "loan_status", bands: 5 }],
        ["interest rate", { segment: "loan_int_rate", target: "loan_status", bands: 5 }],
      ],
      distributionsIntro: "Income and loan amounts have long right tails: income is drawn on a log scale, the others " +
        "are cut at their 99th percentile (what lies above is counted in the subtitle).",
      histograms: [
        { column: "person_age", options: { bins: 30, upperQuantile: 0.99 } },
        { column: "person_income", options: { bins: 30, log: true } },
        { column: "person_emp_length", options: { bins: 20, upperQuantile: 0.99 } },
        { column: "loan_amnt", options: { bins: 30, upperQuantile: 0.99 } },
        { column: "loan_int_rate", options: { bins: 30 } },
      ],
      histogramTitle: "loan_table: numeric columns",
      valueCounts: [
        { column: "loan_intent", caption: "loan_intent" },
        { column: "person_home_ownership", caption: "person_home_ownership" },
      ],
    },
    sources: [
      {
        heading: "Zipcodes",
        intro: "Statistics per zipcode (city, state, kind of location, population, tax returns filed, total wages), " +
          "joined to each loan by `zipcode` with a long ttl (3650 days).",
        name: "zipcode_table",
        path: data.tables.zipcodes,
        valueCounts: [{ column: "state", top: 12, caption: "Zipcodes per state (top 12)" }],
        histograms: ["population", "tax_returns_filed", "total_wages"].map((column) => ({
          column,
          options: { bins: 30, log: true },
        })),
        histogramTitle: "zipcode_table: numeric columns (log scale)",
      },
      {
        heading: "Credit history",
        intro: "Snapshots of each person's debts and payment record over time, keyed by `dob_ssn`; the join takes, " +
          "for each application, the latest snapshot at most 90 days old. The real tutorial files have no credit " +
          "history.",
        name: "credit_history",
        path: data.tables.creditHistory,
        absent: "This data set has no credit history (the real tutorial files ship none).",
        keyColumns: ["dob_ssn"],
        keyNoun: "people",
        keyOne: "person",
        rowNoun: "snapshots",
        valueCounts: [],
        histograms: [
          ...["credit_card_due", "mortgage_due", "student_loan_due", "vehicle_loan_due"].map((column) => ({
            column,
            options: { bins: 30, upperQuantile: 0.99 },
          })),
          { column: "hard_pulls", options: { bins: 15 } },
          { column: "missed_payments_2y", options: { bins: 15 } },
        ],
        histogramTitle: "credit_history: numeric columns",
      },
    ],
    joinedSegments: [
      ["missed payments in the last 6 months", {
        segment: "missed_payments_6m",
        target: "loan_status",
        edges: [1, 2, 3],
      }],
      ["hard credit inquiries", { segment: "hard_pulls", target: "loan_status", edges: [1, 2, 4] }],
      ["bankruptcies", { segment: "bankruptcies", target: "loan_status", edges: [1] }],
      ["kind of location", { segment: "location_type", target: "loan_status", sort: "rate" }],
      ["state (largest 12)", { segment: "state", target: "loan_status", sort: "rows" }],
    ],
  };
}
