/**
 * `deno task predict --zipcode Z --dob-ssn D --person-age A --person-income I [--person-home-ownership H]
 *  [--person-emp-length E] [--loan-intent P] [--loan-amnt L] [--loan-int-rate R] [--model champion|<version>]
 *  [--name NAME] [--at ISO] [--score-flagged]`: scores one loan application like the tutorial's run.py, printing
 * `loan approved!` or `loan rejected!` with the probability of default, the threshold and the main reasons.
 *
 * The applicant's stored features (credit history by dob_ssn, zipcode features) are joined point-in-time from the
 * offline store as of `--at` (default now), with the same feature views the model was trained with. Out-of-range
 * inputs (age 133, negative income, ...) refuse the application unless `--score-flagged` is given.
 *
 * @example
 * ```sh
 * deno task predict --zipcode 76104 --dob-ssn 19530219_5179 --person-age 22 --person-income 59000 \
 *   --person-home-ownership RENT --person-emp-length 3 --loan-intent PERSONAL --loan-amnt 35000 --loan-int-rate 16.02
 * ```
 * @module
 */
import { type ParsedArgs, parseTaskArgs, runTask, UsageError } from "../lib/cli/mod.ts";
import { loadConfig, toS3Options } from "../lib/feature_store/config.ts";
import { FeatureStore } from "../lib/feature_store/feature_store.ts";
import { applicantFeatures, CREDIT_MODEL_DEFAULTS, creditTrainingSource } from "../lib/credit/model_spec.ts";
import { type DecisionResult, loadModel } from "../lib/model/train.ts";
import { formatReason } from "../lib/model/explain.ts";
import { getVersion } from "../lib/model/registry.ts";
import type { RawRow } from "../lib/model/preprocess.ts";

/** Usage line of the task. */
export const USAGE = "deno task predict --zipcode Z --dob-ssn YYYYMMDD_NNNN --person-age A --person-income I " +
  "[--person-home-ownership RENT|OWN|MORTGAGE|OTHER] [--person-emp-length YEARS] [--loan-intent INTENT] " +
  "[--loan-amnt AMOUNT] [--loan-int-rate PERCENT] [--model champion|<version>] [--name NAME] [--at ISO] [--score-flagged]";

const NUMERIC = ["person-age", "person-income", "person-emp-length", "loan-amnt", "loan-int-rate"] as const;
const TEXT = ["person-home-ownership", "loan-intent"] as const;

/** Parsed arguments of the task. */
export interface PredictArgs {
  zipcode: number;
  dobSsn: string;
  application: RawRow;
  model: { alias: string } | { version: number };
  name: string;
  at?: Date;
  scoreFlagged: boolean;
  help: boolean;
}

/**
 * Parses and checks the arguments; `--person-age` and `--person-income` are required, numbers must parse.
 *
 * @example
 * ```ts
 * parsePredictArgs(["--zipcode", "76104", "--dob-ssn", "19530219_5179", "--person-age", "22", "--person-income", "59000"]);
 * ```
 */
export function parsePredictArgs(args: string[]): PredictArgs {
  const options: Record<string, { type: "string" | "boolean"; default?: string }> = {
    zipcode: { type: "string" },
    "dob-ssn": { type: "string" },
    model: { type: "string", default: "champion" },
    name: { type: "string", default: CREDIT_MODEL_DEFAULTS.name },
    at: { type: "string" },
    "score-flagged": { type: "boolean" },
  };
  for (const f of [...NUMERIC, ...TEXT]) options[f] = { type: "string" };
  const { values } = parseTaskArgs(args, { usage: USAGE, options });
  const help = Boolean(values.help);
  if (help) {
    return {
      zipcode: 0,
      dobSsn: "",
      application: {},
      model: { alias: "champion" },
      name: "",
      scoreFlagged: false,
      help,
    };
  }
  const required = (flag: string): string => {
    const v = values[flag];
    if (v === undefined || String(v).trim() === "") throw new UsageError(`Flag "--${flag}" is required`, USAGE);
    return String(v).trim();
  };
  const zipText = required("zipcode");
  if (!/^\d{1,5}$/.test(zipText)) {
    throw new UsageError(`Flag "--zipcode" is "${zipText}"; expected up to 5 digits`, USAGE);
  }
  const dobSsn = required("dob-ssn");
  if (!/^\d{8}_\d{4}$/.test(dobSsn)) {
    throw new UsageError(`Flag "--dob-ssn" is "${dobSsn}"; expected YYYYMMDD_NNNN`, USAGE);
  }
  required("person-age");
  required("person-income");
  const application: RawRow = { zipcode: Number(zipText), dob_ssn: dobSsn };
  for (const flag of NUMERIC) {
    const raw = (values as ParsedArgs["values"])[flag];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (String(raw).trim() === "" || !Number.isFinite(n)) {
      throw new UsageError(`Flag "--${flag}" is "${raw}"; expected a number`, USAGE);
    }
    application[flag.replaceAll("-", "_")] = n;
  }
  for (const flag of TEXT) {
    const raw = values[flag];
    if (raw !== undefined) application[flag.replaceAll("-", "_")] = String(raw).trim().toUpperCase();
  }
  const modelText = String(values.model);
  const model = /^\d+$/.test(modelText) ? { version: Number(modelText) } : { alias: modelText };
  let at: Date | undefined;
  if (values.at !== undefined) {
    at = new Date(String(values.at));
    if (Number.isNaN(at.getTime())) throw new UsageError(`Flag "--at" is "${values.at}"; expected an ISO date`, USAGE);
  }
  return {
    zipcode: Number(zipText),
    dobSsn,
    application,
    model,
    name: String(values.name),
    at,
    scoreFlagged: Boolean(values["score-flagged"]),
    help,
  };
}

/** What {@link main} decided. */
export interface PredictResult extends DecisionResult {
  version: number;
  /** The row that was scored (application plus joined features). */
  row: RawRow;
}

/**
 * The task's body: loads the model, joins the applicant's features, decides and prints.
 *
 * @example
 * ```ts
 * const r = await main(["--zipcode", "76104", "--dob-ssn", "19530219_5179", "--person-age", "22", "--person-income", "59000"]);
 * ```
 */
export async function main(args: string[], out: (line: string) => void = console.log): Promise<PredictResult | null> {
  const parsed = parsePredictArgs(args);
  if (parsed.help) {
    out(`usage: ${USAGE}`);
    return null;
  }
  const config = await loadConfig();
  const io = { s3: toS3Options(config.s3) };
  const version = await getVersion({ root: config.model_store, name: parsed.name, ...parsed.model, io });
  const data = version.tags.data === "real" ? "real" : "generated";
  const source = creditTrainingSource(data, { dataDir: config.data_dir });
  const store = await FeatureStore.open({ config, repo: source.repo });
  let stored: RawRow;
  try {
    stored = await applicantFeatures(store, {
      dobSsn: parsed.dobSsn,
      zipcode: parsed.zipcode,
      at: parsed.at,
      features: source.features,
    });
  } finally {
    await store.close();
  }
  const scorer = await loadModel({ root: config.model_store, name: parsed.name, version: version.version, io });
  try {
    const row: RawRow = { ...stored, ...parsed.application };
    const missing = source.features.map((f) => f.split(":")[1]).filter((f) => row[f] === null || row[f] === undefined);
    const d = scorer.decide(row, { onInvalid: parsed.scoreFlagged ? "mark" : "refuse" });
    out(d.decision === "reject" ? "loan rejected!" : "loan approved!");
    out(
      `  probability of default ${d.probability.toFixed(4)} ${d.decision === "reject" ? ">=" : "<"} threshold ` +
        `${d.threshold.toFixed(4)} (model "${parsed.name}" version ${version.version}` +
        `${version.aliases.length ? `, ${version.aliases.join(", ")}` : ""})`,
    );
    if (d.reasons.length) {
      out("  main reasons (against a typical applicant):");
      for (const r of d.reasons) out(`    - ${formatReason(r)}`);
    }
    for (const f of d.flags) out(`  flagged: ${f.reason}`);
    if (missing.length) out(`  no stored value as of the scoring time for: ${missing.join(", ")} (imputed)`);
    return { ...d, version: version.version, row };
  } finally {
    scorer.dispose();
  }
}

if (import.meta.main) await runTask(async () => void (await main(Deno.args)));
