/**
 * The data a monitoring notebook runs on: loans before a cutoff, which the champion learns from, and a recent batch
 * of applications after it, to score, to measure drift on and to retrain with.
 *
 * - Generated data: the notebook's generated tables with a later period appended (lib/credit/write_data.ts
 *   `appendPeriod`): four months after the last loan, half as many loans as the base period by default, with the
 *   downturn shift ({@linkcode DOWNTURN_SHIFT}: lower incomes, higher rates, mortgage holders squeezed). Built once
 *   per data set in its own folder, so the EDA and modeling notebooks keep seeing the base tables.
 * - Real data (the tutorial's loans and zipcodes, no credit history, no later period): the newest 20% of the loans
 *   by time are the recent applications; the tables are read where they are.
 *
 * Each scenario has its own feature registry, online store and model store (`<workDir>/monitoring/<data set>/`),
 * emptied of models, scored batches and reports at every call unless `fresh: false`, so each notebook run trains
 * its champion, scores, monitors and decides from the same start.
 *
 * @example
 * ```ts
 * import { notebookSettings } from "../notebook/settings.ts";
 * import { creditNotebookData, ensureCreditModel } from "./notebook_data.ts";
 * import { creditMonitoringScenario } from "./monitoring_scenario.ts";
 * const settings = notebookSettings();
 * const scenario = await creditMonitoringScenario(settings, await creditNotebookData(settings));
 * const { version } = await ensureCreditModel(scenario.base); // trained on the loans before scenario.cutoff
 * ```
 * @module
 */
import { basename, join } from "node:path";
import { existsSync } from "node:fs";
import * as arrow from "apache-arrow";
import { readTable, timestampMicros, writeTable } from "../io/mod.ts";
import { splitByTime } from "../monitoring/split.ts";
import type { NotebookSettings } from "../notebook/settings.ts";
import { DOWNTURN_SHIFT, type PeriodShift } from "./generate.ts";
import { creditTrainingSource } from "./model_spec.ts";
import { type CreditNotebookData, notebookStoreConfig } from "./notebook_data.ts";
import { appendPeriod } from "./write_data.ts";
import { openRepo } from "../repo/load.ts";
import type { NotebookScenario, ScenarioRetraining } from "../notebook/repo_data.ts";

export type { ScenarioRetraining };

/** Options of {@linkcode creditMonitoringScenario}. */
export interface MonitoringScenarioOptions {
  /** Generated data: loans of the later period per base loan (default 0.5). */
  periodShare?: number;
  /** Generated data: months of the later period (default 4). */
  periodMonths?: number;
  /** Generated data: the later period's shift (default {@linkcode DOWNTURN_SHIFT}). */
  shift?: PeriodShift;
  /** Real data: share of the newest loans taken as the recent applications (default 0.2). */
  newestShare?: number;
  /** Empty the scenario's model store, scored batches and reports first (default true). */
  fresh?: boolean;
  log?: (line: string) => void;
}

/**
 * What {@linkcode creditMonitoringScenario} returns: the notebooks' scenario shape (lib/notebook/repo_data.ts) and
 * more.
 */
export interface CreditMonitoringScenario extends NotebookScenario {
  kind: "generated" | "real";
  /** The scenario's folder (stores, derived files, scored batches, reports). */
  dir: string;
  /** Every loan (the recent ones included, labelled), with the scenario's stores: the retraining's data. */
  data: CreditNotebookData;
  /** The same stores with only the loans before the cutoff as entity rows: what the champion learns from. */
  base: CreditNotebookData;
  /** First recent application's time (ISO): the champion learns from loans before it. */
  cutoff: string;
  /** Last recent application's time (ISO). */
  end: string;
  /** The recent applications to score: loans from the cutoff on, without their label (Parquet). */
  applications: string;
  /** Rows of each part. */
  rows: { base: number; recent: number };
  /** The later period's shift (generated data), null for real data. */
  shift: PeriodShift | null;
  /** Batch-scoring output folder. */
  scored: string;
  /** Report folder of the monitor. */
  reports: string;
  retraining: ScenarioRetraining;
  /** Sentences saying what the scenario is, for the notebook. */
  description: string;
}

const GENERATED_INTRO = "Monitoring needs applications the champion has not seen, from later than its training " +
  "loans. On **generated data** the notebook's generated loans are the base period the champion learns from; a later " +
  "period of four months with half as many loans is appended in the notebook's own folder (`appendPeriod` of " +
  "`lib/credit/write_data.ts`) with a **downturn**: incomes 15% lower, interest rates 2 points higher, and mortgage " +
  "holders squeezed by the higher rates, a pattern the base period does not have (the default rate goes from about " +
  "22% to 37%). Its loans are the recent applications.\n\nThe recent applications are given to the batch scorer " +
  "without their label, as they would arrive; the labels come back later and are what the retraining learns from " +
  "and is judged on.";

const REAL_INTRO = "Monitoring needs applications the champion has not seen, from later than its training loans. On " +
  "the **real data** (`../shared/data/feast-credit`) the tutorial's loans cover one year and have no later period " +
  "(and no credit history), so the **newest 20% of the loans by time** play the recent applications and the " +
  "champion learns from the 80% before them. Whether they drift is for the tests to say.\n\nThe recent " +
  "applications are given to the batch scorer without their label, as they would arrive; the labels come back later " +
  "and are what the retraining learns from and is judged on.";

interface ScenarioMeta {
  format: "credit-monitoring-scenario/1";
  cutoff: string;
  end: string;
  rows: { base: number; recent: number };
  shift: PeriodShift | null;
}

const META = "scenario.json";
const APPLICATIONS = "recent_applications.parquet";
const BASE_LOANS = "base_loans.parquet";
const TABLES = ["loan_table", "zipcode_table", "credit_history"] as const;

/** The first instant of the month `months` months after the month of `ms` (UTC). */
function monthStart(ms: number, months: number): Date {
  const d = new Date(ms);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
}

function withoutColumn(table: arrow.Table, column: string): arrow.Table {
  const keep = table.schema.fields.filter((f) => f.name !== column).map((f) => f.name);
  return table.select(keep);
}

/** Writes the applications and base loans of a split, and the meta file last. */
async function writeSplit(
  dir: string,
  loans: arrow.Table,
  split: { from: string } | { newestShare: number },
  label: string,
  shift: PeriodShift | null,
): Promise<ScenarioMeta> {
  const column = "event_timestamp";
  const { older, newer, cutoff } = splitByTime(loans, { column, ...split } as Parameters<typeof splitByTime>[1]);
  if (newer.numRows === 0 || cutoff === null) throw new Error(`No loans at or after the cutoff in "${dir}"`);
  const us = timestampMicros(newer.getChild(column)!);
  let last = us[0];
  for (const u of us) if (u > last) last = u;
  await writeTable(join(dir, BASE_LOANS), older);
  await writeTable(join(dir, APPLICATIONS), withoutColumn(newer, label));
  const meta: ScenarioMeta = {
    format: "credit-monitoring-scenario/1",
    cutoff,
    end: new Date(Number(last / 1000n)).toISOString(),
    rows: { base: older.numRows, recent: newer.numRows },
    shift,
  };
  await Deno.writeTextFile(join(dir, META), JSON.stringify(meta, null, 1) + "\n");
  return meta;
}

/** Builds a folder in a temporary sibling, then renames it: it appears whole or not at all. */
async function buildOnce(dir: string, build: (tmp: string) => Promise<void>): Promise<void> {
  if (existsSync(join(dir, META))) return;
  const tmp = `${dir}.tmp-${Deno.pid}-${Date.now()}`;
  await Deno.mkdir(tmp, { recursive: true });
  try {
    await build(tmp);
    await Deno.remove(dir, { recursive: true }).catch(() => {}); // an incomplete earlier folder
    await Deno.rename(tmp, dir);
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
}

const count = (n: number) => n.toLocaleString("en-US");

/**
 * The monitoring scenario of a notebook's data set (see the module doc): built once, its stores emptied at each
 * call unless `fresh: false`.
 *
 * @example
 * ```ts
 * const scenario = await creditMonitoringScenario(settings, data);
 * scenario.applications; // ".../data/notebooks/monitoring/generated_2000_seed42/recent_applications.parquet"
 * ```
 */
export async function creditMonitoringScenario(
  settings: NotebookSettings,
  data: CreditNotebookData,
  opts: MonitoringScenarioOptions = {},
): Promise<CreditMonitoringScenario> {
  const log = opts.log ?? (() => {});
  const dir = join(settings.workDir, "monitoring", data.kind === "real" ? "real" : basename(data.dir));
  const label = data.source.spec.label;
  let tablesDir: string;
  if (data.kind === "generated") {
    tablesDir = join(dir, "tables");
    const periodShare = opts.periodShare ?? 0.5;
    const months = opts.periodMonths ?? 4;
    if (!(periodShare > 0)) throw new Error(`Option "periodShare" is "${periodShare}"; expected a number above 0`);
    if (!(Number.isInteger(months) && months >= 1)) {
      throw new Error(`Option "periodMonths" is "${months}"; expected a whole number >= 1`);
    }
    await buildOnce(dir, async (tmp) => {
      const tables = join(tmp, "tables");
      await Deno.mkdir(tables);
      for (const t of TABLES) await Deno.copyFile(join(data.dir, `${t}.parquet`), join(tables, `${t}.parquet`));
      const base = await readTable(join(tables, "loan_table.parquet"), { columns: ["event_timestamp"] });
      const us = timestampMicros(base.getChild("event_timestamp")!);
      let last = us[0];
      for (const u of us) if (u > last) last = u;
      const start = monthStart(Number(last / 1000n), 1);
      const end = monthStart(start.getTime(), months);
      const rows = Math.max(1, Math.round(base.numRows * periodShare));
      const shift = opts.shift ?? DOWNTURN_SHIFT;
      log(`appending ${rows} loans from ${start.toISOString().slice(0, 10)} to ${end.toISOString().slice(0, 10)}`);
      await appendPeriod({
        out: tables,
        rows,
        seed: settings.seed,
        period: { start: start.toISOString(), end: end.toISOString(), shift },
      });
      const loans = await readTable(join(tables, "loan_table.parquet"));
      await writeSplit(tmp, loans, { from: start.toISOString() }, label, { ...shift });
    });
  } else {
    tablesDir = data.dir;
    const newestShare = opts.newestShare ?? 0.2;
    await buildOnce(dir, async (tmp) => {
      await writeSplit(tmp, await readTable(data.tables.loans), { newestShare }, label, null);
    });
  }
  const meta = JSON.parse(await Deno.readTextFile(join(dir, META))) as ScenarioMeta;
  const scored = join(dir, "scored");
  const reports = join(dir, "reports");
  const config = notebookStoreConfig(tablesDir, dir);
  if (opts.fresh ?? true) {
    for (const d of [config.model_store, scored, reports]) await Deno.remove(d, { recursive: true }).catch(() => {});
  }
  const source = data.kind === "generated"
    ? creditTrainingSource("generated", { dataDir: tablesDir })
    : creditTrainingSource("real", { sharedDir: tablesDir });
  const tables = {
    loans: source.entities,
    zipcodes: join(tablesDir, "zipcode_table.parquet"),
    creditHistory: data.kind === "generated" ? join(tablesDir, "credit_history.parquet") : null,
  };
  const all: CreditNotebookData = {
    ...data,
    dir: tablesDir,
    tables,
    source,
    config,
    modelStore: config.model_store,
    generated: null,
    description: data.kind === "generated"
      ? `${count(meta.rows.base + meta.rows.recent)} generated loans (seed ${settings.seed}): ${
        count(meta.rows.base)
      } of the base period and ${count(meta.rows.recent)} of a later period, in ${tablesDir}`
      : data.description,
  };
  const baseLoans = join(dir, BASE_LOANS);
  const base: CreditNotebookData = {
    ...all,
    tables: { ...tables, loans: baseLoans },
    source: { ...source, entities: baseLoans },
    description: `the ${count(meta.rows.base)} loans before ${meta.cutoff.slice(0, 10)} of ${all.description}`,
  };
  const day = (iso: string) => iso.slice(0, 10);
  const retraining: ScenarioRetraining = data.kind === "generated"
    ? {
      holdoutDays: 30,
      trainDays: 120,
      why: "After a sudden change a shorter window learns the new pattern sooner: the challenger trains on the " +
        "120 days before the holdout (mostly the later period), not on a year in which older loans outweigh it.",
    }
    : {
      holdoutDays: 30,
      trainDays: 365,
      why: "The real loans have no sudden change: the challenger trains on every labelled loan of the year before " +
        "the holdout.",
    };
  const description = data.kind === "generated"
    ? `Generated data: the champion learns from the ${count(meta.rows.base)} base-period loans (before ${
      day(meta.cutoff)
    }); the recent applications are ${count(meta.rows.recent)} loans of a later period (${day(meta.cutoff)} to ${
      day(meta.end)
    }) generated with a downturn shift: incomes ×${meta.shift?.incomeFactor ?? 1}, interest rates +${
      meta.shift?.rateShift ?? 0
    } points, mortgage holders squeezed (+${meta.shift?.mortgageLogit ?? 0} log-odds of default).`
    : `Real data (the tutorial's loans and zipcodes, no credit history and no later period): the newest ${
      count(meta.rows.recent)
    } loans (${day(meta.cutoff)} to ${day(meta.end)}, the newest ${
      Math.round(100 * meta.rows.recent / (meta.rows.base + meta.rows.recent))
    }%) play the recent applications; the champion learns from the ${count(meta.rows.base)} loans before them.`;
  const opened = await openRepo({ dir: null, config });
  return {
    kind: data.kind,
    dir,
    data: all,
    base,
    opened,
    intro: data.kind === "generated" ? GENERATED_INTRO : REAL_INTRO,
    cutoff: meta.cutoff,
    end: meta.end,
    applications: join(dir, APPLICATIONS),
    rows: meta.rows,
    shift: meta.shift,
    scored,
    reports,
    retraining,
    description,
  };
}
