/**
 * The generic scoring page: loads the request rules from the server (`GET /api/request-rules`), builds one labelled
 * field per request field, checks the values with ./request_checks.js, posts the request to `/score` and shows the
 * decision, the probability against the threshold, the reasons and the stored features used. Served as
 * `/assets/serving/pages/form.js` (assets are served at their path under lib/, so relative imports work on disk and
 * in the browser).
 *
 * Every value (labels, options, messages, feature values) is inserted as text, never as HTML.
 *
 * @module
 */
import { fetchJson, h, number, percent, probabilityBar, replace, timestamp } from "./ui.js";
import { checkRequest, expectedOf } from "./request_checks.js";

/** @typedef {import("./request_checks.js").FormField} FormField */

/**
 * @typedef {object} PageRules
 * @property {string} subject
 * @property {{ name: string, version: number | null } | null} model
 * @property {FormField[]} fields
 * @property {Record<string, { view: string, description: string }>} features
 * @property {{ approve: string, reject: string }} decision_text
 */

/**
 * @typedef {object} Control
 * @property {FormField} field
 * @property {HTMLInputElement | HTMLSelectElement} input
 * @property {HTMLElement} error
 */

const form = /** @type {HTMLFormElement} */ (document.getElementById("request-form"));
const fieldsBox = /** @type {HTMLElement} */ (document.getElementById("fields"));
const result = /** @type {HTMLElement} */ (document.getElementById("result"));
const formError = /** @type {HTMLElement} */ (document.getElementById("form-error"));
const submit = /** @type {HTMLButtonElement} */ (document.getElementById("score-button"));
const title = /** @type {HTMLElement} */ (document.getElementById("title"));
const lead = /** @type {HTMLElement} */ (document.getElementById("lead"));
const legend = /** @type {HTMLElement} */ (document.getElementById("legend"));

/** @type {PageRules | null} */
let rules = null;
/** Controls by request field name (ids are `field-<index>`, so no field name can clash with the page's ids). */
/** @type {Map<string, Control>} */
const controls = new Map();
let submitText = "Score";

/** @param {string} text */
function capital(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "a claim", "an insurance claim". @param {string} noun */
function withArticle(noun) {
  return `${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}`;
}

/**
 * @param {string} name
 * @param {string} message
 * @returns {boolean} whether the field is on the form
 */
function showError(name, message) {
  const c = controls.get(name);
  if (!c) return false;
  c.error.textContent = message;
  if (message) c.input.setAttribute("aria-invalid", "true");
  else c.input.removeAttribute("aria-invalid");
  return true;
}

function clearErrors() {
  for (const name of controls.keys()) showError(name, "");
  formError.hidden = true;
  formError.textContent = "";
}

/** @param {string} message */
function showFormError(message) {
  formError.textContent = message;
  formError.hidden = false;
}

/** @param {string} text */
function notScored(text) {
  replace(result, h("p", { class: "muted", id: "not-scored" }, text));
}

/**
 * Shows problems per field and focuses the first marked field (in form order). Problems of fields that are not on
 * the form go to the form's message.
 *
 * @param {Record<string, string>} errors
 */
function showErrors(errors) {
  const unplaced = [];
  for (const [name, message] of Object.entries(errors)) {
    if (!showError(name, message)) unplaced.push(message);
  }
  const count = Object.keys(errors).length - unplaced.length;
  showFormError(
    unplaced.length ? unplaced.join("; ") : `Please correct the ${count === 1 ? "field" : `${count} fields`} marked.`,
  );
  for (const c of controls.values()) {
    if (c.input.getAttribute("aria-invalid") === "true") {
      c.input.focus();
      break;
    }
  }
}

/**
 * The hint under a field: what it expects, whether it may stay empty.
 *
 * @param {FormField} field
 * @returns {string}
 */
function hintOf(field) {
  const parts = [];
  if (field.kind !== "enum") {
    let expected = expectedOf(field);
    if (field.kind === "text" && field.pattern_hint) expected = `format ${field.pattern_hint}`;
    if (field.max_field) {
      const other = rules?.fields.find((f) => f.name === field.max_field)?.label ?? field.max_field;
      expected += `, at most the ${other}`;
    }
    parts.push(capital(expected));
  }
  if (field.nullable) parts.push("optional: leave empty when unknown");
  return capital(parts.join("; "));
}

/**
 * One labelled control with its hint and error line.
 *
 * @param {FormField} field
 * @param {number} index
 */
function buildField(field, index) {
  const id = `field-${index}`;
  const hint = hintOf(field);
  const describedBy = [hint ? `${id}-hint` : "", `${id}-error`].filter(Boolean).join(" ");
  /** @type {HTMLInputElement | HTMLSelectElement} */
  let input;
  if (field.kind === "enum") {
    const options = field.options?.length
      ? field.options
      : (field.values ?? []).map((value) => ({ value, label: value }));
    input = /** @type {HTMLSelectElement} */ (h(
      "select",
      { id, name: field.name, required: !field.nullable, "aria-describedby": describedBy },
      h("option", { value: "" }, field.nullable ? "Not known" : "Choose…"),
      ...options.map((o) => h("option", { value: o.value }, o.label)),
    ));
  } else {
    input = /** @type {HTMLInputElement} */ (h("input", {
      id,
      name: field.name,
      type: "text",
      inputmode: field.kind === "integer" ? "numeric" : field.kind === "number" ? "decimal" : null,
      autocomplete: "off",
      required: !field.nullable,
      "aria-describedby": describedBy,
    }));
  }
  const error = h("p", { class: "error", id: `${id}-error` });
  controls.set(field.name, { field, input, error });
  return h(
    "div",
    { class: "field", "data-field": field.name },
    h("label", { for: id }, capital(field.label)),
    input,
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
    error,
  );
}

async function loadRules() {
  let answer;
  try {
    answer = await fetchJson("/api/request-rules");
  } catch {
    answer = { ok: false, status: 0, body: null };
  }
  const { ok, body } = answer;
  if (!ok || !body || !Array.isArray(body.fields)) {
    lead.textContent = "The form cannot be shown.";
    showFormError(body?.error ?? "The form's rules cannot be loaded; reload the page.");
    return;
  }
  rules = /** @type {PageRules} */ (body);
  const subject = rules.subject;
  document.title = `Score ${withArticle(subject)}`;
  title.textContent = `Score ${withArticle(subject)}`;
  legend.textContent = capital(subject);
  submitText = `Score ${subject}`;
  submit.textContent = submitText;
  lead.textContent = rules.model
    ? `Enter the ${subject}; model ${rules.model.name} version ${rules.model.version ?? "?"} scores it with the ` +
      `features stored for it.`
    : `Enter the ${subject}; the fields are checked here and by the server.`;
  if (!rules.model) {
    replace(
      result,
      h(
        "p",
        { class: "notice", id: "no-model" },
        "No model is loaded on the server, so nothing can be scored yet: train one and restart the server.",
      ),
    );
  }
  replace(fieldsBox, ...rules.fields.map(buildField));
  submit.disabled = false;
}

/** @returns {Record<string, string>} */
function formValues() {
  /** @type {Record<string, string>} */
  const values = {};
  for (const [name, c] of controls) values[name] = c.input.value;
  return values;
}

/** @param {unknown} v */
function shown(v) {
  if (v === null || v === undefined) return "missing";
  return typeof v === "number" ? number(v, 2) : String(v);
}

/** @param {any} answer */
function renderAnswer(answer) {
  const words = rules?.decision_text ?? { approve: "approved", reject: "rejected" };
  const approve = answer.decision === "approve";
  const refer = answer.decision === "refer";
  const features = Object.entries(answer.features ?? {});
  const described = rules?.features ?? {};
  const bar = probabilityBar({ probability: answer.probability, threshold: answer.threshold });
  // ui.js words the bar for the credit page ("probability of default"); here the outcome is the repo's own
  const barLabel = `Probability ${percent(answer.probability)}; threshold ${percent(answer.threshold)}`;
  bar.setAttribute("aria-label", barLabel);
  const barTitle = bar.querySelector("title");
  if (barTitle) barTitle.textContent = barLabel;
  replace(
    result,
    refer ? h("p", { class: "decision notice refer", id: "decision" }, "Referred: not decided automatically") : h(
      "p",
      { class: `decision ${approve ? "approve" : "reject"}`, id: "decision" },
      capital(approve ? words.approve : words.reject),
    ),
    refer
      ? h(
        "p",
        { class: "notice", id: "refer-reason", role: "alert" },
        h("strong", {}, "Why: "),
        String(answer.refer_reason ?? ""),
        answer.model_decision ? ` The model alone would have said: ${answer.model_decision}.` : "",
      )
      : null,
    h(
      "p",
      { id: "probability" },
      "Probability ",
      h("strong", {}, percent(answer.probability)),
      ` against the threshold ${percent(answer.threshold)} `,
      h("span", { class: "muted" }, `(at or above the threshold: ${words.reject.replace(/[.!]+$/, "")})`),
    ),
    bar,
    h(
      "p",
      { class: "muted", id: "model" },
      `Model ${answer.model?.name ?? "?"} version ${answer.model?.version ?? "?"}`,
    ),
    h("h3", {}, "Main reasons"),
    answer.reasons?.length
      ? h(
        "ol",
        { class: "reasons", id: "reasons" },
        ...answer.reasons.map((/** @type {any} */ r) =>
          h(
            "li",
            { "data-feature": r.feature },
            h("strong", {}, r.description || r.feature),
            ` (${r.value_text ?? shown(r.value)})`,
            h(
              "span",
              { class: "muted" },
              ` — ${r.effect ?? `probability +${(r.probability_impact * 100).toFixed(1)} points`}`,
            ),
          )
        ),
      )
      : h(
        "p",
        { class: "muted" },
        answer.decision === "reject" ? "No reason stands out." : "Reasons are given for rejections.",
      ),
    h("h3", {}, "Stored features used"),
    answer.missing_features?.length
      ? h(
        "p",
        { class: "notice", id: "missing" },
        `Not on file, scored with typical values: ${
          answer.missing_features.map((/** @type {string} */ f) => described[f]?.description || f).join(", ")
        }`,
      )
      : null,
    features.length
      ? h(
        "table",
        { id: "features" },
        h("caption", { class: "visually-hidden" }, "Stored features used for the decision"),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Feature"),
            h("th", { scope: "col", class: "num" }, "Value"),
            h("th", { scope: "col" }, "Status"),
            h("th", { scope: "col" }, "As of"),
          ),
        ),
        h(
          "tbody",
          {},
          ...features.map(([name, /** @type {any} */ f]) =>
            h(
              "tr",
              { "data-feature": name, "data-status": f.status },
              h(
                "th",
                { scope: "row" },
                described[name]?.description || name,
                h("div", { class: "hint" }, h("code", {}, described[name] ? `${described[name].view}:${name}` : name)),
              ),
              h("td", { class: "num" }, f.status === "PRESENT" ? shown(f.value) : "–"),
              h("td", {}, h("span", { class: f.status === "PRESENT" ? "tag good" : "tag warn" }, String(f.status))),
              h("td", { class: "nowrap" }, timestamp(f.event_timestamp)),
            )
          ),
        ),
      )
      : h("p", { class: "muted" }, "The model uses no stored features."),
  );
}

form.addEventListener("input", (event) => {
  const target = /** @type {HTMLInputElement} */ (event.target);
  if (target?.name && target.getAttribute("aria-invalid") === "true") showError(target.name, "");
});
form.addEventListener("change", (event) => {
  const target = /** @type {HTMLSelectElement} */ (event.target);
  if (target?.name && target.getAttribute("aria-invalid") === "true") showError(target.name, "");
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!rules) return;
  clearErrors();
  const { body, errors } = checkRequest(formValues(), rules);
  if (!body) {
    showErrors(errors);
    notScored("Not scored: correct the marked fields first.");
    return;
  }
  submit.disabled = true;
  submit.textContent = "Scoring…";
  result.setAttribute("aria-busy", "true");
  try {
    const { ok, status, body: answer } = await fetchJson("/score", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (ok && answer) renderAnswer(answer);
    else if ((status === 400 || status === 422) && answer?.fields?.length) {
      /** @type {Record<string, string>} */
      const byField = {};
      for (const p of answer.fields) {
        byField[p.field] = byField[p.field] ? `${byField[p.field]}; ${p.message}` : p.message;
      }
      showErrors(byField);
      notScored("Not scored: the server refused the marked fields.");
    } else if (status === 503) {
      showFormError(answer?.error ?? "No model is loaded on the server; nothing can be scored yet.");
      notScored("Not scored: no model is loaded.");
    } else {
      showFormError(answer?.error ?? `The server answered ${status}; try again.`);
      notScored("Not scored.");
    }
  } catch {
    showFormError("The server cannot be reached; try again.");
    notScored("Not scored.");
  } finally {
    submit.disabled = false;
    submit.textContent = submitText;
    result.removeAttribute("aria-busy");
  }
});

loadRules();
