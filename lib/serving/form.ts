/**
 * The generic scoring page (`GET /`): a form built in the browser from the repo's request schema that posts to
 * `/score` and shows the decision, the probability against the threshold, the reasons and the stored features
 * used. The form's fields and checks come from the server as JSON (`GET /api/request-rules`, built from the repo's
 * model spec), so the browser and the server apply the same limits from one definition.
 *
 * The page is static (./pages/form.html, ./pages/form.js, ./pages/request_checks.js, the shared stylesheet and DOM
 * helpers), carries the pages' Content-Security-Policy and inserts every value as text.
 *
 * @example
 * ```ts
 * import { formPageRoutes } from "./form.ts";
 * const routes = await formPageRoutes({
 *   subject: "claim",
 *   model: { name: "claims_fraud", version: 3 },
 *   fields: [{ name: "policy_id", label: "policy number", kind: "integer", min: 1 }],
 *   features: { prior_claims_3y: { view: "policy_history", description: "claims in the last 3 years" } },
 *   decision_text: { approve: "accepted", reject: "referred" },
 * });
 * // createHandler({ store, score, routes })
 * ```
 * @module
 */
import { jsonResponse } from "./http.ts";
import { assetRoutes, COMMON_ASSETS, staticRoutes } from "./pages.ts";
import type { Routes } from "./server.ts";

export type { FormField, RequestRules } from "../repo/request.ts";
import type { FormField, RequestRules } from "../repo/request.ts";

const KINDS: readonly FormField["kind"][] = ["integer", "number", "enum", "text"];

/**
 * The problems of a rules object that would make the form wrong or unusable (empty when fine): duplicate or empty
 * names, unknown kinds, enums without values, options that are not values, `max_field` naming no numeric field,
 * `min` above `max`, a pattern that does not compile. Each message names the field.
 *
 * @example
 * ```ts
 * import { requestRulesProblems } from "./form.ts";
 * requestRulesProblems({
 *   subject: "claim", model: null, features: {}, decision_text: { approve: "accepted", reject: "referred" },
 *   fields: [{ name: "region", label: "region", kind: "enum" }],
 * }); // ['Request field "region" is an enum without "values"']
 * ```
 */
export function requestRulesProblems(rules: RequestRules): string[] {
  const problems: string[] = [];
  if (!rules || typeof rules !== "object") return ["The request rules must be an object"];
  if (typeof rules.subject !== "string" || rules.subject.trim() === "") {
    problems.push(`The request rules' "subject" must be a non-empty string, got ${JSON.stringify(rules.subject)}`);
  }
  if (!Array.isArray(rules.fields) || rules.fields.length === 0) {
    problems.push(`The request rules must list at least one field`);
    return problems;
  }
  const kinds = new Map<string, FormField["kind"]>();
  for (const f of rules.fields) {
    if (!f || typeof f.name !== "string" || f.name === "") {
      problems.push(`A request field has no name: ${JSON.stringify(f)}`);
      continue;
    }
    if (kinds.has(f.name)) problems.push(`Request field "${f.name}" is listed twice`);
    kinds.set(f.name, f.kind);
    const where = `Request field "${f.name}"`;
    if (typeof f.label !== "string" || f.label === "") problems.push(`${where} has no label`);
    if (!KINDS.includes(f.kind)) {
      problems.push(`${where} has kind ${JSON.stringify(f.kind)}; expected one of ${KINDS.join(", ")}`);
    }
    if (f.kind === "enum") {
      if (!Array.isArray(f.values) || f.values.length === 0) problems.push(`${where} is an enum without "values"`);
      for (const o of f.options ?? []) {
        if (!f.values?.includes(o.value)) {
          problems.push(`${where} has option "${o.value}", not one of its values ${(f.values ?? []).join(", ")}`);
        }
      }
    }
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) {
      problems.push(`${where} has min ${f.min} above max ${f.max}`);
    }
    if (f.pattern !== undefined) {
      try {
        new RegExp(f.pattern);
      } catch {
        problems.push(`${where} has a pattern that does not compile: "${f.pattern}"`);
      }
    }
  }
  for (const f of rules.fields) {
    if (f?.max_field === undefined) continue;
    const kind = kinds.get(f.max_field);
    if (kind !== "integer" && kind !== "number") {
      problems.push(`Request field "${f.name}" has max_field "${f.max_field}", not a numeric request field`);
    }
  }
  return problems;
}

/** The page's own scripts (besides {@link COMMON_ASSETS}). */
export const FORM_ASSETS: readonly URL[] = [
  new URL("./pages/form.js", import.meta.url),
  new URL("./pages/request_checks.js", import.meta.url),
];

/**
 * The routes of the generic scoring page: `GET /` (./pages/form.html), its scripts and the shared stylesheet and DOM
 * helpers under `/assets/...`, and `GET /api/request-rules` (the rules as JSON, `cache-control: no-cache`). Rules
 * with problems ({@link requestRulesProblems}) are refused here, at start-up, naming each problem.
 *
 * @example
 * ```ts
 * import { formPageRoutes } from "./form.ts";
 * import { createHandler } from "./server.ts";
 * const routes = await formPageRoutes(rules);
 * const handler = createHandler({ store, score, routes });
 * ```
 */
export async function formPageRoutes(rules: RequestRules): Promise<Routes> {
  const problems = requestRulesProblems(rules);
  if (problems.length) throw new Error(`The form's request rules are not usable:\n- ${problems.join("\n- ")}`);
  // a copy taken now: later changes to the caller's object are not served
  const body: RequestRules = JSON.parse(JSON.stringify(rules));
  return {
    ...(await staticRoutes({ "/": new URL("./pages/form.html", import.meta.url) })),
    ...(await assetRoutes([...COMMON_ASSETS, ...FORM_ASSETS])),
    "GET /api/request-rules": () => jsonResponse(body, 200, { "cache-control": "no-cache" }),
  };
}
