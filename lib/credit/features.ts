/**
 * The credit tutorial as a feature repo like any user's (the default repo of every task): the same exports a
 * `features.ts` written by `deno task init` has, against the same public interface (lib/repo).
 *
 * - `repo`: the two entities and views of Feast's credit tutorial over `<data_dir>` (./repo.ts);
 * - `model`: the credit-default model: the loan application's fields (types, categories, ranges, readable names),
 *   the engineered features (./model_spec.ts), protected attributes (age: no model input), the segments the test
 *   metrics are reported by (age band, home ownership, loan intent) and the recall-first policy;
 * - `datasets`: `generated` (the generated loans, the default) and `real` (the tutorial's real files in
 *   `../shared/data/feast-credit`, which have no credit history);
 * - `pages`: the loan application page (`/`, with the date of birth and SSN digits that make the `dob_ssn` key).
 *
 * @example
 * ```ts
 * import { openRepo } from "../repo/load.ts";
 * const credit = await openRepo({ dir: null });
 * credit.model.request.map((f) => f.name); // ["zipcode", "dob_ssn", "person_age", ...]
 * ```
 * @module
 */
import { featureRepo } from "../feature_store/definitions.ts";
import type { RangeRule } from "../model/preprocess.ts";
import type { InputSchema } from "../scoring/columns.ts";
import { inputSchemaOf } from "../repo/request.ts";
import type { Dataset, RepoContext, RepoPages } from "../repo/load.ts";
import type { ModelSpec, RequestField } from "../repo/spec.ts";
import type { SegmentDefinition } from "../model/segments.ts";
import { APPLICATION_FIELDS, HOME_OWNERSHIP, isDobSsn, LOAN_INTENTS } from "./application.ts";
import { dobSsnBytes } from "./dob_ssn.ts";
import { CREDIT_MODEL_DEFAULTS, CREDIT_RULES, creditFeatureSpec, SHARED_CREDIT_DIR } from "./model_spec.ts";
import { creditRepo } from "./repo.ts";
import { applicationPageRoutes } from "./pages.ts";

/** The credit feature repo over the configured `data_dir`. */
export const repo = (ctx: RepoContext) => creditRepo({ dataDir: ctx.config.data_dir });

/** Application fields that may be null (the tutorial's loans lack them at times; the model imputes them). */
export const NULLABLE_APPLICATION_FIELDS: readonly string[] = ["person_emp_length", "loan_int_rate"];

const label = (name: keyof typeof APPLICATION_FIELDS) => APPLICATION_FIELDS[name].label;

/** The loan application's fields, as the model spec's request. */
export const CREDIT_REQUEST: readonly RequestField[] = [
  { name: "zipcode", type: "integer", label: label("zipcode"), min: 0, max: 99999 },
  {
    name: "dob_ssn",
    type: "text",
    label: label("dob_ssn"),
    pattern: "^\\d{8}_\\d{4}$",
    patternHint: "YYYYMMDD_NNNN (date of birth, last four SSN digits)",
    check: (v) => isDobSsn(v) ? null : `"${v}" is not YYYYMMDD_NNNN with a real date of birth`,
    checkBytes: dobSsnBytes,
  },
  { name: "person_age", type: "integer", label: label("person_age") },
  // upper bounds far above any real applicant: a mistyped 1e308 is refused, never scored
  { name: "person_income", type: "number", label: label("person_income"), max: 100_000_000, unit: "$" },
  {
    name: "person_home_ownership",
    type: "category",
    values: HOME_OWNERSHIP,
    upperCase: true,
    label: label("person_home_ownership"),
  },
  {
    name: "person_emp_length",
    type: "number",
    label: label("person_emp_length"),
    nullable: true,
    unit: "years",
  },
  { name: "loan_intent", type: "category", values: LOAN_INTENTS, upperCase: true, label: label("loan_intent") },
  { name: "loan_amnt", type: "number", label: label("loan_amnt"), max: 10_000_000, unit: "$" },
  { name: "loan_int_rate", type: "number", label: label("loan_int_rate"), nullable: true, unit: "%" },
];

/** Protected attributes of the credit model: never model inputs (the repo loader refuses a spec that uses them). */
export const CREDIT_PROTECTED: readonly string[] = ["person_age"];

/**
 * What the test metrics are reported by: age bands (62 is Regulation B's "elderly"), home ownership, loan intent.
 */
export const CREDIT_SEGMENTS: readonly SegmentDefinition[] = [
  { name: "age_band", column: "person_age", edges: [25, 35, 45, 55, 62] },
  "person_home_ownership",
  "loan_intent",
];

/** The credit-default model's spec. */
export const model = (ctx: RepoContext): ModelSpec => ({
  name: CREDIT_MODEL_DEFAULTS.name,
  subject: "loan application",
  entityRows: `${ctx.config.data_dir.replace(/\/+$/, "")}/loan_table.parquet`,
  label: "loan_status",
  timestamp: "event_timestamp",
  idColumns: [{ name: "loan_id", type: "integer" }],
  request: CREDIT_REQUEST,
  features: creditFeatureSpec({ creditHistory: true }).features,
  rules: CREDIT_RULES,
  // fair lending (ECOA / Regulation B): age is never a model input nor an adverse-action reason
  protected: CREDIT_PROTECTED,
  segments: CREDIT_SEGMENTS,
  policy: { kind: "target_recall", targetRecall: CREDIT_MODEL_DEFAULTS.targetRecall },
  modelType: CREDIT_MODEL_DEFAULTS.modelType,
  topReasons: CREDIT_MODEL_DEFAULTS.topReasons,
  decisionText: { approve: "loan approved!", reject: "loan rejected!" },
  outcomeText: "default",
  // money columns and their engineered features in dollars; the debt columns of the credit history too
  featureUnits: {
    credit_card_due: "$",
    mortgage_due: "$",
    student_loan_due: "$",
    vehicle_loan_due: "$",
  },
});

/** `generated` (default) and `real` (the tutorial's files: loans x zipcode features, no credit history). */
export const datasets = (ctx: RepoContext): Record<string, Dataset> => {
  const generated = creditRepo({ dataDir: ctx.config.data_dir });
  const dir = SHARED_CREDIT_DIR.replace(/\/+$/, "");
  const view = creditRepo({ dataDir: dir }).views.find((v) => v.name === "zipcode_features")!;
  return {
    generated: {
      entityRows: `${ctx.config.data_dir.replace(/\/+$/, "")}/loan_table.parquet`,
      storedFeatures: generated.views.flatMap((v) => v.schema.map((f) => `${v.name}:${f.name}`)),
      features: creditFeatureSpec({ creditHistory: true }).features,
    },
    real: {
      entityRows: `${dir}/loan_table.parquet`,
      storedFeatures: view.schema.map((f) => `zipcode_features:${f.name}`),
      repo: featureRepo({ entities: [...view.entities], views: [view] }),
      features: creditFeatureSpec({ creditHistory: false }).features,
    },
  };
};

/** The loan application page (date of birth and SSN digits make the `dob_ssn` key). */
export const pages: RepoPages = applicationPageRoutes;

/**
 * The batch scoring input schema of a loan application table (tests and benchmarks): the request fields, `loan_id`,
 * the two join keys and the event time, with the model's range `rules` (default the credit rules).
 *
 * @example
 * ```ts
 * creditInputSchema().idColumns; // ["loan_id", "dob_ssn", "zipcode", "event_timestamp"]
 * ```
 */
export function creditInputSchema(rules: readonly RangeRule[] = CREDIT_RULES): InputSchema {
  const spec = model({ config: { data_dir: "data/generated" }, dir: "" } as RepoContext);
  return inputSchemaOf(spec, { keys: ["dob_ssn", "zipcode"], rules });
}
