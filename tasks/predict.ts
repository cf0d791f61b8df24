/**
 * `deno task predict [--repo DIR] --<field> VALUE ... [--model champion|<version>] [--name NAME] [--at ISO]
 *  [--score-flagged]`: scores one request of the repo (a loan application in the credit tutorial) like the
 * tutorial's run.py, printing the decision's message (`loan approved!` / `loan rejected!` there) with the probability,
 * the threshold and the main reasons.
 *
 * The flags are the model spec's request fields, `_` written `-` (`--person-age 22`), checked like `POST /score`
 * checks them (required unless nullable, types, categories, patterns, bounds). The stored features are joined
 * point-in-time from the offline store as of `--at` (default now) by the request's join keys. Out-of-range inputs
 * refuse the request unless `--score-flagged` is given.
 *
 * @example
 * ```sh
 * deno task predict --zipcode 76104 --dob-ssn 19530219_5179 --person-age 22 --person-income 59000 \
 *   --person-home-ownership RENT --person-emp-length 3 --loan-intent PERSONAL --loan-amnt 35000 --loan-int-rate 16.02
 * ```
 * @module
 */
import { parseTaskArgs, runTask, UsageError } from "../lib/cli/mod.ts";
import { toS3Options } from "../lib/feature_store/config.ts";
import { FeatureStore } from "../lib/feature_store/feature_store.ts";
import { type DecisionResult, loadModel } from "../lib/model/scorer.ts";
import { formatReason, reasonUnits, wantsReasons } from "../lib/model/explain.ts";
import { getVersion } from "../lib/model/registry.ts";
import { inputColumns, type RawRow } from "../lib/model/preprocess.ts";
import { openRepoFlag } from "../lib/repo/load.ts";
import { boundProblems, parseRequest, resolveModelInputs, storedFeaturesOf } from "../lib/repo/request.ts";
import { decisionTexts, type ModelSpec } from "../lib/repo/spec.ts";

/** Usage line of the task for a model spec. */
export function usage(spec?: ModelSpec): string {
  const fields = spec
    ? spec.request.map((f) => {
      const flag = `--${f.name.replaceAll("_", "-")} ${f.type === "category" ? (f.values ?? []).join("|") : "V"}`;
      return f.nullable ? `[${flag}]` : flag;
    }).join(" ")
    : "--<field> VALUE ...";
  return `deno task predict [--repo DIR] ${fields} [--model champion|<version>] [--name NAME] [--at ISO] ` +
    "[--score-flagged]";
}

/** Parsed arguments of the task. */
export interface PredictArgs {
  /** The request, checked against the spec's fields. */
  request: RawRow;
  model: { alias: string } | { version: number };
  name?: string;
  at?: Date;
  scoreFlagged: boolean;
  help: boolean;
}

/** The value of `--repo` in `args` (before the spec is known). */
export function repoFlagOf(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--repo") return args[i + 1] ?? "";
    if (args[i].startsWith("--repo=")) return args[i].slice(7);
  }
  return undefined;
}

/**
 * Parses and checks the arguments against the spec's request fields; errors name the flag.
 *
 * @example
 * ```ts
 * parsePredictArgs(["--plan", "pro", "--tenure-months", "3"], spec).request; // { plan: "pro", tenure_months: 3 }
 * ```
 */
export function parsePredictArgs(args: string[], spec: ModelSpec): PredictArgs {
  const USAGE = usage(spec);
  const options: Record<string, { type: "string" | "boolean" }> = {
    repo: { type: "string" },
    model: { type: "string" },
    name: { type: "string" },
    at: { type: "string" },
    "score-flagged": { type: "boolean" },
  };
  const flagOf = (field: string) => field.replaceAll("_", "-");
  for (const f of spec.request) options[flagOf(f.name)] = { type: "string" };
  const { values } = parseTaskArgs(args, { usage: USAGE, options });
  const help = Boolean(values.help);
  if (help) return { request: {}, model: { alias: "champion" }, scoreFlagged: false, help };
  const body: Record<string, unknown> = {};
  for (const f of spec.request) {
    const raw = values[flagOf(f.name)];
    if (raw === undefined) continue;
    const text = String(raw).trim();
    if (f.type === "integer" || f.type === "number") {
      const n = Number(text);
      if (text === "" || !Number.isFinite(n)) {
        throw new UsageError(`Flag "--${flagOf(f.name)}" is "${raw}"; expected a number`, USAGE);
      }
      body[f.name] = n;
    } else body[f.name] = text;
  }
  const { row, problems } = parseRequest(body, spec.request, { subject: spec.subject });
  const bounds = row ? boundProblems(row, spec.request) : [];
  const first = problems[0] ?? bounds[0];
  if (first) {
    const flag = `--${flagOf(first.field)}`;
    throw new UsageError(`Flag "${flag}": ${first.message.replace(`Field "${first.field}"`, `"${flag}"`)}`, USAGE);
  }
  const modelText = String(values.model ?? "champion");
  const model = /^\d+$/.test(modelText) ? { version: Number(modelText) } : { alias: modelText };
  let at: Date | undefined;
  if (values.at !== undefined) {
    at = new Date(String(values.at));
    if (Number.isNaN(at.getTime())) throw new UsageError(`Flag "--at" is "${values.at}"; expected an ISO date`, USAGE);
  }
  return {
    request: row!,
    model,
    name: values.name === undefined ? undefined : String(values.name),
    at,
    scoreFlagged: Boolean(values["score-flagged"]),
    help,
  };
}

/** What {@link main} decided. */
export interface PredictResult extends DecisionResult {
  version: number;
  /** The row that was scored (request plus joined features). */
  row: RawRow;
  /** The decision's message ("loan approved!"). */
  message: string;
}

/**
 * The task's body: loads the model, joins the stored features, decides and prints.
 *
 * @example
 * ```ts
 * const r = await main(["--zipcode", "76104", "--dob-ssn", "19530219_5179", "--person-age", "22", ...]);
 * ```
 */
export async function main(args: string[], out: (line: string) => void = console.log): Promise<PredictResult | null> {
  if (args.includes("--help") || args.includes("-h")) {
    const repoFlag = repoFlagOf(args);
    out(`usage: ${usage((await openRepoFlag(repoFlag)).model)}`);
    return null;
  }
  const opened = await openRepoFlag(repoFlagOf(args));
  const spec = opened.model;
  const parsed = parsePredictArgs(args, spec);
  const config = opened.config;
  const io = { s3: toS3Options(config.s3) };
  const name = parsed.name ?? spec.name;
  const version = await getVersion({ root: config.model_store, name, ...parsed.model, io });
  const scorer = await loadModel({ root: config.model_store, name, version: version.version, io });
  try {
    const { refs, keys } = resolveModelInputs(inputColumns(scorer.preprocessor.spec), {
      repo: opened.features,
      request: spec.request,
      where: opened.module,
    });
    const store = await FeatureStore.open({ config, repo: opened.features });
    let stored: RawRow;
    try {
      stored = await storedFeaturesOf(store, { request: parsed.request, keys, refs, at: parsed.at ?? new Date() });
    } finally {
      await store.close();
    }
    const row: RawRow = { ...parsed.request, ...stored };
    const missing = Object.keys(stored).filter((f) => stored[f] === null || stored[f] === undefined);
    const d = scorer.decide(row, { onInvalid: parsed.scoreFlagged ? "mark" : "refuse", top: spec.topReasons });
    const words = decisionTexts(spec);
    const message = d.decision === "reject" ? words.reject : words.approve;
    out(message);
    out(
      `  probability ${d.probability.toFixed(4)} ${d.decision === "reject" ? ">=" : "<"} threshold ` +
        `${d.threshold.toFixed(4)} (model "${name}" version ${version.version}` +
        `${version.aliases.length ? `, ${version.aliases.join(", ")}` : ""})`,
    );
    // adverse-action reasons: for rejections (the approval needs none)
    if (d.reasons.length && wantsReasons(d.decision)) {
      const units = reasonUnits(spec);
      out("  main reasons (against a typical case):");
      for (const r of d.reasons) out(`    - ${formatReason(r, { unit: units[r.feature], outcome: spec.outcomeText })}`);
    }
    for (const f of d.flags) out(`  flagged: ${f.reason}`);
    if (missing.length) out(`  no stored value as of the scoring time for: ${missing.join(", ")} (imputed)`);
    return { ...d, version: version.version, row, message };
  } finally {
    scorer.dispose();
  }
}

if (import.meta.main) await runTask(async () => void (await main(Deno.args)));
