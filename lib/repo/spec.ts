/**
 * The model spec of a feature repo: what a data scientist declares beside the feature definitions so that every task,
 * notebook and page works on the repo without code of its own: the entity rows the model learns from (with their
 * label and event time), the columns that arrive with each request (types, ranges, categories, readable names), the
 * model's features (preprocessing), protected attributes, and the decision policy.
 *
 * Plain data (functions only for optional extra checks), so `deno task init` can write it and a reviewer can read it.
 *
 * @example
 * ```ts
 * import { modelSpec } from "./spec.ts";
 * const spec = modelSpec({
 *   name: "churn",
 *   entityRows: "data/accounts.parquet",
 *   label: "churned",
 *   timestamp: "event_timestamp",
 *   request: [
 *     { name: "account_id", type: "integer" },
 *     { name: "plan", type: "category", values: ["basic", "pro"] },
 *     { name: "tenure_months", type: "number", min: 0, label: "months as a customer" },
 *   ],
 *   features: [
 *     { kind: "categorical", name: "plan", description: "plan" },
 *     { kind: "numeric", name: "tenure_months", description: "months as a customer" },
 *   ],
 * });
 * ```
 * @module
 */
import type { Feature, FeatureSpec, RangeRule } from "../model/preprocess.ts";
import type { ThresholdPolicy } from "../model/policy.ts";
import { modelType } from "../model/model_types.ts";
import type { SegmentDefinition } from "../model/segments.ts";

/** The kinds of request columns. */
export type RequestFieldType = "integer" | "number" | "category" | "text";

/** One column that arrives with each request (and is a column of the entity rows). */
export interface RequestField {
  name: string;
  type: RequestFieldType;
  /** Readable name (form label, messages). Default: the name with spaces. */
  label?: string;
  /** Allowed values of a category (compared case-insensitively; stored upper-cased when `upperCase`). */
  values?: readonly string[];
  /** Category values are upper-cased before checking (default false). */
  upperCase?: boolean;
  /** Smallest allowed value (numbers). */
  min?: number;
  /** Largest allowed value (numbers). */
  max?: number;
  /** The value must not exceed this other field's value. */
  maxField?: string;
  /** May be null or absent: the model imputes it (default false). */
  nullable?: boolean;
  /** A regular expression the whole text must match. */
  pattern?: string;
  /** What the pattern means, for messages ("YYYYMMDD_NNNN"). */
  patternHint?: string;
  /** An extra check of a text value: the problem, or null when the value is good. */
  check?: (value: string) => string | null;
  /** The same check on UTF-8 bytes (batch scoring's fast path); true when good. */
  checkBytes?: (bytes: Uint8Array, start: number, end: number) => boolean;
  /** Unit of a number, shown with the value in reasons: "$" (written before it), "%", "years"... */
  unit?: string;
}

/** A column that identifies a row (optional in inputs, copied to outputs). */
export interface IdColumn {
  name: string;
  type: "integer" | "text";
}

/** The model spec of a repo (see the module doc). */
export interface ModelSpec {
  /** Registered model name (also the experiment of its runs). */
  name: string;
  /** What one entity row is, for messages and pages ("loan application"). Default "application". */
  subject?: string;
  /** Entity rows to train on: a Parquet/CSV file, local (relative to the repo folder) or s3://. */
  entityRows: string;
  /** Label column of the entity rows (1 = the bad outcome the policy must catch). */
  label: string;
  /** Event time column of the entity rows. */
  timestamp: string;
  /** Extra columns that identify a row in outputs (e.g. `loan_id`); optional in inputs, copied to outputs. */
  idColumns?: readonly IdColumn[];
  /** The columns that arrive with each request, join keys included. */
  request: readonly RequestField[];
  /** Stored features joined for training, `view:feature` (default: every feature of every view). */
  storedFeatures?: readonly string[];
  /** The model's features (preprocessing of request columns and stored features). */
  features: readonly Feature[];
  /** Range rules of the inputs (default: from the request fields' min, max and maxField). */
  rules?: readonly RangeRule[];
  /** Protected attributes (never a model input, so never an adverse-action reason). */
  protected?: readonly string[];
  /**
   * Columns of the entity rows to report the test metrics by (fair lending: recall, precision, approval rate, ROC AUC
   * with bootstrap intervals and the approval-rate ratio against the best value): a column name, or a numeric column
   * cut into bands (`{ name: "age_band", column: "person_age", edges: [25, 35, 45, 55, 62] }`). Protected attributes
   * may be segments: they stay columns of the training set.
   */
  segments?: readonly SegmentDefinition[];
  /** Threshold policy (default: catch 90% of the bad outcomes). */
  policy?: ThresholdPolicy;
  /** Model type, a name of the model-type registry (lib/model/model_types.ts; default "mlp"). */
  modelType?: string;
  /** Reasons per decision (default 3). */
  topReasons?: number;
  /** The messages of the two decisions (default "<subject> approved!" / "<subject> rejected!"). */
  decisionText?: { approve: string; reject: string };
  /**
   * Units of model features shown in reasons, by feature (group) name, e.g. `{ person_emp_length: "years" }`; a
   * request field's own `unit` applies to the feature of the same name.
   */
  featureUnits?: Readonly<Record<string, string>>;
  /** The bad outcome in words, for reasons ("raises the odds of default x2.3"; default "default"). */
  outcomeText?: string;
  /**
   * Largest share of the stored features of a request that may be stale (OUTSIDE_MAX_AGE: older than their view's
   * ttl at the server's clock) for `/score` to decide automatically; above it the answer is "refer" (a person
   * decides) with the reason. Default {@link DEFAULT_MAX_STALE_SHARE}; 1 never refers.
   */
  maxStaleShare?: number;
}

/** The default {@link ModelSpec.maxStaleShare}: refer when more than half of the stored features are stale. */
export const DEFAULT_MAX_STALE_SHARE = 0.5;

/** An invalid model spec; the message names the setting. */
export class ModelSpecError extends Error {
  override name = "ModelSpecError";
}

const TYPES: readonly RequestFieldType[] = ["integer", "number", "category", "text"];

/**
 * Checks a model spec and fills its defaults; errors name the field and the setting.
 *
 * @example
 * ```ts
 * modelSpec({ name: "m", entityRows: "rows.csv", label: "y", timestamp: "ts", request: [], features: [] }).policy;
 * // { kind: "target_recall", targetRecall: 0.9 }
 * ```
 */
export function modelSpec(spec: ModelSpec): ModelSpec & { policy: ThresholdPolicy; modelType: string } {
  const where = (what: string) => `model spec "${spec?.name ?? "?"}": ${what}`;
  if (!spec || typeof spec !== "object") throw new ModelSpecError("The model spec must be an object");
  for (const key of ["name", "entityRows", "label", "timestamp"] as const) {
    if (typeof spec[key] !== "string" || spec[key] === "") {
      throw new ModelSpecError(where(`"${key}" must be a non-empty string, got ${JSON.stringify(spec[key])}`));
    }
  }
  if (!Array.isArray(spec.request)) throw new ModelSpecError(where(`"request" must be a list of fields`));
  const names = new Set<string>();
  for (const f of spec.request) {
    if (!f || typeof f.name !== "string" || f.name === "") {
      throw new ModelSpecError(where(`a request field has no name: ${JSON.stringify(f)}`));
    }
    if (names.has(f.name)) throw new ModelSpecError(where(`request field "${f.name}" is declared twice`));
    names.add(f.name);
    if (!TYPES.includes(f.type)) {
      throw new ModelSpecError(
        where(`request field "${f.name}" has type ${JSON.stringify(f.type)}; expected one of ${TYPES.join(", ")}`),
      );
    }
    if (f.type === "category" && (!Array.isArray(f.values) || f.values.length === 0)) {
      throw new ModelSpecError(where(`request field "${f.name}" is a category without "values"`));
    }
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) {
      throw new ModelSpecError(where(`request field "${f.name}" has min ${f.min} above max ${f.max}`));
    }
    if (f.pattern !== undefined) {
      try {
        new RegExp(f.pattern);
      } catch {
        throw new ModelSpecError(where(`request field "${f.name}" has an invalid pattern "${f.pattern}"`));
      }
    }
  }
  for (const f of spec.request) {
    if (f.maxField !== undefined && !names.has(f.maxField)) {
      throw new ModelSpecError(where(`request field "${f.name}" has maxField "${f.maxField}", not a request field`));
    }
  }
  for (const col of [spec.label, spec.timestamp]) {
    if (names.has(col)) throw new ModelSpecError(where(`"${col}" is the label or timestamp, not a request field`));
  }
  if (!Array.isArray(spec.features) || spec.features.length === 0) {
    throw new ModelSpecError(where(`"features" must list the model's features`));
  }
  if (
    spec.maxStaleShare !== undefined &&
    !(typeof spec.maxStaleShare === "number" && spec.maxStaleShare >= 0 && spec.maxStaleShare <= 1)
  ) {
    throw new ModelSpecError(where(`"maxStaleShare" must be a share between 0 and 1, got ${spec.maxStaleShare}`));
  }
  for (const p of spec.protected ?? []) {
    if (typeof p !== "string") throw new ModelSpecError(where(`"protected" must list column names`));
  }
  return {
    ...spec,
    policy: spec.policy ?? { kind: "target_recall", targetRecall: 0.9 },
    modelType: knownModelType(spec.modelType ?? "mlp", where),
  };
}

function knownModelType(name: string, where: (what: string) => string): string {
  try {
    return modelType(name).name;
  } catch (err) {
    throw new ModelSpecError(where(`"modelType": ${(err as Error).message}`));
  }
}

/** The messages of the two decisions: the spec's `decisionText`, else "<subject> approved!" / "<subject> rejected!". */
export function decisionTexts(spec: Pick<ModelSpec, "decisionText" | "subject">): { approve: string; reject: string } {
  const subject = spec.subject ?? "application";
  return spec.decisionText ?? { approve: `${subject} approved!`, reject: `${subject} rejected!` };
}

/** A field's readable name. */
export function fieldLabel(f: RequestField): string {
  return f.label ?? f.name.replaceAll("_", " ");
}

/**
 * The range rules of the request fields (what the model's `validate` and the form check).
 *
 * @example
 * ```ts
 * rangeRules([{ name: "age", type: "integer", min: 18, max: 100 }]); // [{ column: "age", min: 18, max: 100, label: "age" }]
 * ```
 */
export function rangeRules(fields: readonly RequestField[]): RangeRule[] {
  const rules: RangeRule[] = [];
  for (const f of fields) {
    if (f.type !== "integer" && f.type !== "number") continue;
    if (f.min === undefined && f.max === undefined && f.maxField === undefined) continue;
    const rule: RangeRule = { column: f.name, label: fieldLabel(f) };
    if (f.min !== undefined) rule.min = f.min;
    if (f.max !== undefined) rule.max = f.max;
    if (f.maxField !== undefined) rule.maxColumn = f.maxField;
    rules.push(rule);
  }
  return rules;
}

/**
 * The preprocessing spec the model is trained with: the spec's features, its label and time, and the request
 * fields' range rules (with the spec's `segments`, when any, for the report by segment).
 */
export function featureSpecOf(spec: ModelSpec): FeatureSpec & { segments?: readonly SegmentDefinition[] } {
  return {
    label: spec.label,
    timestampColumn: spec.timestamp,
    features: spec.features,
    rules: spec.rules ?? rangeRules(spec.request),
    // carried to training, which reports the test metrics by segment (lib/model/segments.ts)
    ...(spec.segments?.length ? { segments: spec.segments } : {}),
  };
}
