/**
 * A repo's request fields at work: a JSON request checked field by field ({@link parseRequest}, `POST /score` and
 * `deno task predict`), the batch scoring input schema ({@link inputSchemaOf}), the form's rules
 * ({@link requestRules}), and where each model input comes from ({@link resolveModelInputs}): a request field or a
 * feature view of the repo, never a silent null.
 *
 * @example
 * ```ts
 * import { parseRequest } from "./request.ts";
 * const { row, problems } = parseRequest({ plan: "pro", tenure_months: 3 }, spec.request);
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import type { FeatureRepo } from "../feature_store/definitions.ts";
import { timestampVector } from "../io/mod.ts";
import type { RangeRule, RawRow } from "../model/preprocess.ts";
import type { ColumnRule, InputSchema } from "../scoring/columns.ts";
import { decisionTexts, fieldLabel, type ModelSpec, rangeRules, type RequestField } from "./spec.ts";

/** One field's problem (the server answers them under `fields`). */
export interface FieldProblem {
  field: string;
  message: string;
}

function normalizeCategory(f: RequestField, v: string): string {
  return f.upperCase ? v.trim().toUpperCase() : v.trim();
}

/** A field's pattern matching the whole value (as the form matches it). */
export function wholeMatch(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

/** The problem of a text value against a field's pattern and check, or null. */
export function textProblem(f: RequestField, value: string): string | null {
  if (f.pattern !== undefined && !wholeMatch(f.pattern).test(value)) {
    return `Field "${f.name}" is ${JSON.stringify(value)}; expected ${f.patternHint ?? `to match ${f.pattern}`}`;
  }
  const extra = f.check?.(value);
  return extra ? `Field "${f.name}": ${extra}` : null;
}

/** The problem of a number against a field's bounds (not `maxField`), or null. */
export function rangeProblem(f: RequestField, value: number): string | null {
  if ((f.min !== undefined && value < f.min) || (f.max !== undefined && value > f.max)) {
    const expected = f.min !== undefined && f.max !== undefined
      ? `between ${f.min} and ${f.max}`
      : f.min !== undefined
      ? `at least ${f.min}`
      : `at most ${f.max}`;
    return `Field "${f.name}" (${fieldLabel(f)}) is ${value}; expected ${expected}`;
  }
  return null;
}

/**
 * Checks a JSON object against the request fields: unknown fields, required fields, types, categories, patterns.
 * `row` is set only without problems. Bounds are not checked here (see {@link boundProblems}).
 *
 * @example
 * ```ts
 * parseRequest({ age: "x" }, [{ name: "age", type: "integer" }]).problems[0].message;
 * // 'Field "age" must be a number, got "x"'
 * ```
 */
export function parseRequest(
  body: Record<string, unknown>,
  fields: readonly RequestField[],
  opts: { subject?: string } = {},
): { row?: Record<string, unknown>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const out: Record<string, unknown> = {};
  const known = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(body)) {
    if (!known.has(key)) {
      problems.push({ field: key, message: `Field "${key}" is not part of a ${opts.subject ?? "request"}` });
    }
  }
  for (const f of fields) {
    const value = body[f.name];
    if (value === undefined || value === null || value === "") {
      if (f.nullable) out[f.name] = null;
      else problems.push({ field: f.name, message: `Field "${f.name}" (${fieldLabel(f)}) is required` });
      continue;
    }
    if (f.type === "integer" || f.type === "number") {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        problems.push({ field: f.name, message: `Field "${f.name}" must be a number, got ${JSON.stringify(value)}` });
      } else if (f.type === "integer" && !Number.isInteger(value)) {
        problems.push({ field: f.name, message: `Field "${f.name}" must be a whole number, got ${value}` });
      } else out[f.name] = value;
    } else if (f.type === "category") {
      const values = (f.values ?? []).map((v) => normalizeCategory(f, v));
      const v = typeof value === "string" ? normalizeCategory(f, value) : null;
      const match = v === null
        ? undefined
        : f.upperCase
        ? values.find((x) => x === v)
        : values.find((x) => x === v) ?? values.find((x) => x.toLowerCase() === v.toLowerCase());
      if (match === undefined) {
        problems.push({
          field: f.name,
          message: `Field "${f.name}" is ${JSON.stringify(value)}; expected one of ${(f.values ?? []).join(", ")}`,
        });
      } else out[f.name] = match;
    } else {
      const problem = typeof value !== "string"
        ? `Field "${f.name}" must be a text, got ${JSON.stringify(value)}`
        : textProblem(f, value);
      if (problem) problems.push({ field: f.name, message: problem });
      else out[f.name] = value;
    }
  }
  return problems.length ? { problems } : { row: out, problems };
}

/**
 * The fields whose numbers are outside the field's own bounds (`min`, `max`, `maxField`).
 *
 * @example
 * ```ts
 * boundProblems({ amount: 1e308 }, [{ name: "amount", type: "number", max: 1e7 }])[0].field; // "amount"
 * ```
 */
export function boundProblems(row: Record<string, unknown>, fields: readonly RequestField[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const f of fields) {
    const v = row[f.name];
    if (typeof v !== "number") continue;
    const p = rangeProblem(f, v);
    if (p) {
      problems.push({ field: f.name, message: p });
      continue;
    }
    const other = f.maxField === undefined ? undefined : row[f.maxField];
    if (typeof other === "number" && v > other) {
      problems.push({ field: f.name, message: `Field "${f.name}" is ${v}; expected at most ${f.maxField} (${other})` });
    }
  }
  return problems;
}

/**
 * The batch scoring input schema of a model spec: every request field (nullable ones may be null), the id columns
 * (optional), the event time; range checks are the model's `rules` plus the fields' own bounds.
 *
 * @example
 * ```ts
 * inputSchemaOf(spec, { keys: ["account_id"] }).idColumns; // ["account_id", "event_timestamp"]
 * ```
 */
export function inputSchemaOf(
  spec: ModelSpec,
  opts: { keys?: readonly string[]; rules?: readonly RangeRule[] } = {},
): InputSchema {
  const columns: ColumnRule[] = (spec.idColumns ?? []).map((c) => ({
    name: c.name,
    kind: c.type === "integer" ? "integer" : "text",
    optional: true,
    nullable: true,
  }));
  for (const f of spec.request) {
    const nullable = Boolean(f.nullable);
    if (f.type === "integer" || f.type === "number") columns.push({ name: f.name, kind: f.type, nullable });
    else if (f.type === "category") {
      columns.push({
        name: f.name,
        kind: "text",
        nullable,
        values: (f.values ?? []).map((v) => normalizeCategory(f, v)),
        normalize: (v) => normalizeCategory(f, v),
      });
    } else {
      const rule: ColumnRule = { name: f.name, kind: "text", nullable };
      if (f.pattern !== undefined || f.check) {
        const re = f.pattern === undefined ? null : wholeMatch(f.pattern);
        rule.check = (v) =>
          re && !re.test(v)
            ? `column "${f.name}" is ${JSON.stringify(v)}; expected ${f.patternHint ?? `to match ${f.pattern}`}`
            : f.check?.(v) ?? null;
        if (f.checkBytes) rule.checkBytes = f.checkBytes;
      }
      columns.push(rule);
    }
  }
  columns.push({ name: spec.timestamp, kind: "timestamp" });
  const ids = [...(spec.idColumns ?? []).map((c) => c.name)];
  for (const k of opts.keys ?? []) if (!ids.includes(k)) ids.push(k);
  ids.push(spec.timestamp);
  const modelRules = opts.rules ?? [];
  const own = rangeRules(spec.request).filter((r) =>
    !modelRules.some((m) => m.column === r.column && m.min === r.min && m.max === r.max)
  );
  return { columns, timestampColumn: spec.timestamp, idColumns: ids, rules: [...modelRules, ...own] };
}

/** Where the model's inputs come from. */
export interface ModelInputs {
  /** `view:feature` references read from the store. */
  refs: string[];
  /** Inputs that come with each request. */
  fromRequest: string[];
  /** Join keys of the views read (request fields). */
  keys: string[];
}

/** A model input that neither the request nor a feature view provides. */
export class MissingInputError extends Error {
  override name = "MissingInputError";
  /** @param inputs The missing inputs. @param message Names them and where they were looked for. */
  constructor(readonly inputs: string[], message: string) {
    super(message);
  }
}

/**
 * Where each model input comes from: a feature of the repo's views (first), else a request field; an input found in
 * neither is a {@link MissingInputError} naming it and where it was looked for. Join keys of the views read must be
 * request fields.
 *
 * @example
 * ```ts
 * resolveModelInputs(["plan", "calls_30d"], { repo, request: spec.request }); // { refs: ["usage:calls_30d"], ... }
 * ```
 */
export function resolveModelInputs(
  inputs: readonly string[],
  opts: { repo: FeatureRepo; request: readonly RequestField[]; where?: string },
): ModelInputs {
  const refs: string[] = [];
  const fromRequest: string[] = [];
  const missing: string[] = [];
  const requestNames = new Set(opts.request.map((f) => f.name));
  const views = new Set<string>();
  for (const column of inputs) {
    const view = opts.repo.views.find((v) => v.schema.some((f) => f.name === column));
    if (view) {
      refs.push(`${view.name}:${column}`);
      views.add(view.name);
    } else if (requestNames.has(column)) fromRequest.push(column);
    else missing.push(column);
  }
  const keys = [
    ...new Set(opts.repo.views.filter((v) => views.has(v.name)).flatMap((v) => v.entities.flatMap((e) => e.joinKeys))),
  ];
  const missingKeys = keys.filter((k) => !requestNames.has(k));
  const where = opts.where ? ` (${opts.where})` : "";
  const viewNames = opts.repo.views.map((v) => v.name).join(", ") || "none";
  if (missing.length) {
    throw new MissingInputError(
      missing,
      `Model input${missing.length > 1 ? "s" : ""} ${missing.map((m) => `"${m}"`).join(", ")} ${
        missing.length > 1 ? "are" : "is"
      } neither a request field of the model spec${where} nor a feature of the repo's views (${viewNames}); ` +
        `add ${missing.length > 1 ? "them" : "it"} to the model spec's "request" or to a feature view`,
    );
  }
  if (missingKeys.length) {
    throw new MissingInputError(
      missingKeys,
      `Join key${missingKeys.length > 1 ? "s" : ""} ${missingKeys.map((m) => `"${m}"`).join(", ")} of the views ${
        [...views].join(", ")
      } ${missingKeys.length > 1 ? "are" : "is"} not a request field of the model spec${where}; ` +
        `add ${missingKeys.length > 1 ? "them" : "it"} to "request"`,
    );
  }
  return { refs, fromRequest, keys };
}

/** One request field of the form, as the form page (lib/serving/pages/request_checks.js) reads it. */
export interface FormField {
  /** Request field name (the JSON key posted to `/score`). */
  name: string;
  /** Readable name (the field's label; messages). */
  label: string;
  kind: "integer" | "number" | "enum" | "text";
  /** Enum: allowed values. */
  values?: string[];
  /** Enum: readable labels of the values (default: the values). */
  options?: { value: string; label: string }[];
  min?: number;
  max?: number;
  /** The value must not exceed this other field's value. */
  max_field?: string;
  /** Name used in range messages (default the label). */
  range_label?: string;
  /** May be left empty (the model imputes it); an empty field is posted as null. */
  nullable?: boolean;
  /** Text: a JavaScript regular expression the whole value must match. */
  pattern?: string;
  /** What the pattern means, shown beside the field and in its message ("YYYYMMDD_NNNN"). */
  pattern_hint?: string;
  /** Enum values are compared and sent upper-cased. */
  upper_case?: boolean;
}

/** The JSON of `GET /api/request-rules`. */
export interface RequestRules {
  /** What one request is ("loan application", "claim"); the page is titled "Score a <subject>". */
  subject: string;
  /** The model the server scores with (null when none is loaded: `/score` then answers 503). */
  model: { name: string; version: number | null } | null;
  /** The request fields, in form order. */
  fields: FormField[];
  /** The stored features the model may use, with their view and description (for the result table). */
  features: Record<string, { view: string; description: string }>;
  /** Words of the two decisions ("approved" / "rejected"). */
  decision_text: { approve: string; reject: string };
}

function optionLabel(value: string): string {
  const words = value.replaceAll("_", " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The form's rules from a model spec: each request field with its kind, values, bounds (its own, tightened by the
 * model's range `rules`), and the stored features for the result table.
 *
 * @example
 * ```ts
 * requestRules(spec, { repo, model: { name: "churn", version: 2 } }).fields.map((f) => f.kind);
 * ```
 */
export function requestRules(
  spec: ModelSpec,
  opts: { repo: FeatureRepo; rules?: readonly RangeRule[]; model?: RequestRules["model"] },
): RequestRules {
  const fields = spec.request.map((f): FormField => {
    const kind = f.type === "category" ? "enum" : f.type;
    const field: FormField = { name: f.name, label: fieldLabel(f), kind };
    if (f.type === "category") {
      field.values = (f.values ?? []).map((v) => normalizeCategory(f, v));
      field.options = field.values.map((value) => ({ value, label: optionLabel(value) }));
      if (f.upperCase) field.upper_case = true;
    }
    if (f.min !== undefined) field.min = f.min;
    if (f.max !== undefined) field.max = f.max;
    if (f.maxField !== undefined) field.max_field = f.maxField;
    for (const r of (opts.rules ?? []).filter((r) => r.column === f.name)) {
      if (r.min !== undefined) field.min = field.min === undefined ? r.min : Math.max(field.min, r.min);
      if (r.max !== undefined) field.max = field.max === undefined ? r.max : Math.min(field.max, r.max);
      if (r.maxColumn !== undefined) field.max_field = r.maxColumn;
      if (r.label !== undefined) field.range_label = r.label;
    }
    if (f.nullable) field.nullable = true;
    if (f.pattern !== undefined) field.pattern = f.pattern;
    if (f.patternHint !== undefined) field.pattern_hint = f.patternHint;
    return field;
  });
  const features: RequestRules["features"] = {};
  for (const view of opts.repo.views) {
    for (const f of view.schema) features[f.name] = { view: view.name, description: f.description ?? "" };
  }
  return {
    subject: spec.subject ?? "application",
    model: opts.model ?? null,
    fields,
    features,
    decision_text: decisionTexts(spec),
  };
}

/**
 * The stored features of one entity as of `at`, joined point-in-time from the offline store through a one-row
 * entity table of the request's join keys. Missing features come back null.
 */
export async function storedFeaturesOf(
  store: { getHistoricalFeatures(request: { entities: arrow.Table; features: string[] }): Promise<arrow.Table> },
  opts: { request: RawRow; keys: readonly string[]; refs: string[]; at: Date },
): Promise<RawRow> {
  if (!opts.refs.length) return {};
  const columns: Record<string, arrow.Vector> = {};
  for (const k of opts.keys) {
    const v = opts.request[k];
    columns[k] = typeof v === "number"
      ? arrow.makeVector(BigInt64Array.of(BigInt(v)))
      : arrow.vectorFromArray([String(v)], new arrow.Utf8());
  }
  columns.event_timestamp = timestampVector(BigInt64Array.of(BigInt(opts.at.getTime()) * 1000n));
  const joined = await store.getHistoricalFeatures({ entities: new arrow.Table(columns), features: opts.refs });
  const row: RawRow = {};
  for (const ref of opts.refs) {
    const name = ref.split(":")[1];
    const v = joined.getChild(name)?.get(0) ?? null;
    row[name] = typeof v === "bigint" ? Number(v) : v;
  }
  return row;
}
