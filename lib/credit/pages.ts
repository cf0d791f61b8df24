/**
 * The loan application page (`GET /`): a form that posts to `/score` and shows the decision, the probability against
 * the threshold, the reasons and the stored features used. The form's checks come from the server as JSON
 * (`GET /api/application-rules`: the fields of ./application.ts and the model's range rules, CREDIT_RULES when no
 * model is loaded), so the browser and the server apply the same limits from one definition.
 *
 * @example
 * ```ts
 * import { applicationPageRoutes } from "./pages.ts";
 * const routes = await applicationPageRoutes({ repo: creditRepo({ dataDir: "data/generated" }) });
 * // createHandler({ store, score, routes })
 * ```
 * @module
 */
import type { FeatureRepo } from "../feature_store/definitions.ts";
import type { RangeRule } from "../model/preprocess.ts";
import { jsonResponse } from "../serving/http.ts";
import { assetRoutes, staticRoutes } from "../serving/pages.ts";
import type { Routes } from "../serving/server.ts";
import { APPLICATION_FIELDS } from "./application.ts";
import { CREDIT_RULES } from "./model_spec.ts";

/** One field's checks, as the form's script reads them (lib/credit/pages/validate.js `FieldRule`). */
export interface FormFieldRule {
  name: string;
  label: string;
  kind: "integer" | "number" | "enum" | "dob_ssn";
  values?: string[];
  options?: { value: string; label: string }[];
  min?: number;
  max?: number;
  max_field?: string;
  range_label?: string;
}

/** The JSON of `GET /api/application-rules`. */
export interface ApplicationRules {
  fields: FormFieldRule[];
  /** The stored features the model may use, with their view and description (for the result table). */
  features: Record<string, { view: string; description: string }>;
}

/** Readable names of category values (others are shown capitalised). */
const OPTION_LABELS: Record<string, string> = {
  DEBTCONSOLIDATION: "Debt consolidation",
  HOMEIMPROVEMENT: "Home improvement",
};

function optionLabel(value: string): string {
  return OPTION_LABELS[value] ?? value.charAt(0) + value.slice(1).toLowerCase();
}

/**
 * The form's rules: every application field with its kind, allowed values and range (from `rules`).
 *
 * @example
 * ```ts
 * import { applicationRules } from "./pages.ts";
 * const rules = applicationRules();
 * rules.fields.find((f) => f.name === "person_age"); // { kind: "integer", min: 18, max: 100, ... }
 * ```
 */
export function applicationRules(
  opts: { rules?: readonly RangeRule[]; repo?: FeatureRepo } = {},
): ApplicationRules {
  const ranges = opts.rules ?? CREDIT_RULES;
  const fields = Object.entries(APPLICATION_FIELDS).map(([name, rule]): FormFieldRule => {
    const field: FormFieldRule = { name, label: rule.label, kind: rule.kind };
    if (rule.kind === "enum") {
      field.values = [...rule.values];
      field.options = rule.values.map((value) => ({ value, label: optionLabel(value) }));
    }
    for (const range of ranges.filter((r) => r.column === name)) {
      if (range.min !== undefined) field.min = range.min;
      if (range.max !== undefined) field.max = range.max;
      if (range.maxColumn !== undefined) field.max_field = range.maxColumn;
      if (range.label !== undefined) field.range_label = range.label;
    }
    return field;
  });
  const features: ApplicationRules["features"] = {};
  for (const view of opts.repo?.views ?? []) {
    for (const f of view.schema) features[f.name] = { view: view.name, description: f.description ?? "" };
  }
  return { fields, features };
}

/**
 * The routes of the application page: `GET /`, its script and checks, and `GET /api/application-rules`.
 *
 * @example
 * ```ts
 * import { applicationPageRoutes } from "./pages.ts";
 * const routes = await applicationPageRoutes({ rules: scorer.preprocessor.spec.rules });
 * ```
 */
export async function applicationPageRoutes(
  opts: { rules?: readonly RangeRule[]; repo?: FeatureRepo } = {},
): Promise<Routes> {
  const body = applicationRules(opts);
  return {
    ...(await staticRoutes({ "/": new URL("./pages/index.html", import.meta.url) })),
    ...(await assetRoutes([
      new URL("./pages/application.js", import.meta.url),
      new URL("./pages/validate.js", import.meta.url),
    ])),
    "GET /api/application-rules": () => jsonResponse(body, 200, { "cache-control": "no-cache" }),
  };
}
