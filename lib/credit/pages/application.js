/**
 * The loan application page: loads the form's rules from the server, checks the fields, posts the application to
 * `/score` and shows the decision, the probability against the threshold, the reasons and the stored features used.
 * Served as `/assets/credit/pages/application.js` (assets are served at their path under lib/, so the relative
 * imports work on disk and in the browser).
 * Every value is inserted as text.
 *
 * @module
 */
import { fetchJson, h, number, percent, probabilityBar, replace, timestamp } from "../../serving/pages/ui.js";
import { checkApplication, formFieldOf } from "./validate.js";

const form = /** @type {HTMLFormElement} */ (document.getElementById("application"));
const result = /** @type {HTMLElement} */ (document.getElementById("result"));
const formError = /** @type {HTMLElement} */ (document.getElementById("form-error"));
const submit = /** @type {HTMLButtonElement} */ (document.getElementById("submit"));

/** Form fields (the application's fields, with `dob` + `ssn4` for `dob_ssn`). */
const FORM_FIELDS = [
  "dob",
  "ssn4",
  "zipcode",
  "person_age",
  "person_income",
  "person_emp_length",
  "person_home_ownership",
  "loan_intent",
  "loan_amnt",
  "loan_int_rate",
];

/** @type {any} */
let rules = null;

/** @param {string} name */
function control(name) {
  return /** @type {HTMLInputElement | HTMLSelectElement | null} */ (form.elements.namedItem(name));
}

/**
 * @param {string} name
 * @param {string} message
 */
function showError(name, message) {
  const input = control(name);
  const box = document.getElementById(`${name}-error`);
  if (!input || !box) return false;
  box.textContent = message;
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  return true;
}

function clearErrors() {
  for (const name of FORM_FIELDS) showError(name, "");
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
 * Shows problems per field; focuses the first. Problems of unknown fields go to the form's message.
 *
 * @param {Record<string, string>} errors
 */
function showErrors(errors) {
  const unplaced = [];
  let first = null;
  for (const [field, message] of Object.entries(errors)) {
    const name = formFieldOf(field);
    if (showError(name, message)) first ??= name;
    else unplaced.push(message);
  }
  const count = Object.keys(errors).length;
  showFormError(
    unplaced.length ? unplaced.join("; ") : `Please correct the ${count === 1 ? "field" : `${count} fields`} marked.`,
  );
  if (first) control(first)?.focus();
}

async function loadRules() {
  const { ok, body } = await fetchJson("/api/application-rules");
  if (!ok || !body) {
    showFormError(body?.error ?? "The form's rules cannot be loaded; reload the page.");
    submit.disabled = true;
    return;
  }
  rules = body;
  for (const field of rules.fields) {
    if (field.kind !== "enum") continue;
    const select = /** @type {HTMLSelectElement | null} */ (control(field.name));
    if (!select) continue;
    for (const option of field.options) select.append(h("option", { value: option.value }, option.label));
  }
}

/** @returns {Record<string, string>} */
function formValues() {
  /** @type {Record<string, string>} */
  const values = {};
  for (const name of FORM_FIELDS) values[name] = control(name)?.value ?? "";
  return values;
}

/** @param {any} answer */
function renderAnswer(answer) {
  const approve = answer.decision === "approve";
  const refer = answer.decision === "refer";
  const features = Object.entries(answer.features ?? {});
  const described = rules?.features ?? {};
  replace(
    result,
    refer ? h("p", { class: "decision notice refer", id: "decision" }, "Referred: not decided automatically") : h(
      "p",
      { class: `decision ${approve ? "approve" : "reject"}`, id: "decision" },
      approve ? "Approved" : "Rejected",
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
      "Probability of default ",
      h("strong", {}, percent(answer.probability)),
      ` against the threshold ${percent(answer.threshold)} `,
      h("span", { class: "muted" }, `(rejected at or above the threshold)`),
    ),
    probabilityBar({ probability: answer.probability, threshold: answer.threshold }),
    h("p", { class: "muted" }, `Model ${answer.model?.name ?? "?"} version ${answer.model?.version ?? "?"}`),
    h("h3", {}, "Main reasons"),
    answer.reasons?.length
      ? h(
        "ol",
        { class: "reasons", id: "reasons" },
        ...answer.reasons.map((/** @type {any} */ r) =>
          h(
            "li",
            {},
            h("strong", {}, r.description ?? r.feature),
            ` (${r.value_text ?? (r.value === null ? "missing" : number(r.value, 2))})`,
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
          answer.missing_features.map((/** @type {string} */ f) => described[f]?.description ?? f).join(", ")
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
          ...features.map(([name, f]) =>
            h(
              "tr",
              { "data-feature": name },
              h(
                "th",
                { scope: "row" },
                described[name]?.description ?? name,
                h("div", { class: "hint" }, h("code", {}, name)),
              ),
              h("td", { class: "num" }, f.status === "PRESENT" ? number(f.value, 2) : "–"),
              h("td", {}, h("span", { class: f.status === "PRESENT" ? "tag good" : "tag warn" }, f.status)),
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

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!rules) return;
  clearErrors();
  const { application, errors } = checkApplication(formValues(), rules);
  if (!application) {
    showErrors(errors);
    notScored("Not scored: correct the marked fields first.");
    return;
  }
  submit.disabled = true;
  submit.textContent = "Scoring…";
  result.setAttribute("aria-busy", "true");
  try {
    const { ok, status, body } = await fetchJson("/score", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(application),
    });
    if (ok && body) renderAnswer(body);
    else if ((status === 400 || status === 422) && body?.fields?.length) {
      /** @type {Record<string, string>} */
      const byField = {};
      for (const p of body.fields) {
        byField[p.field] = byField[p.field] ? `${byField[p.field]}; ${p.message}` : p.message;
      }
      showErrors(byField);
      notScored("Not scored: the server refused the marked fields.");
    } else {
      showFormError(body?.error ?? `The server answered ${status}; try again.`);
      notScored("Not scored.");
    }
  } catch {
    showFormError("The server cannot be reached; try again.");
    notScored("Not scored.");
  } finally {
    submit.disabled = false;
    submit.textContent = "Score application";
    result.removeAttribute("aria-busy");
  }
});

loadRules();
