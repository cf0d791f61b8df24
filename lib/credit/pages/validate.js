// @ts-check
/**
 * Checks of the loan application form, run in the browser before `/score` is called. They follow the rules the
 * server sends (`GET /api/application-rules`: the fields of lib/credit/application.ts and the model's range rules),
 * so the form and the server agree without a second copy of the limits. Pure functions: no DOM, so Deno tests run
 * them against the server's own checks.
 *
 * @module
 */

/**
 * @typedef {object} FieldRule
 * @property {string} name Field of the application (`person_age`, ...).
 * @property {string} label Readable name.
 * @property {"integer" | "number" | "enum" | "dob_ssn"} kind
 * @property {string[]} [values] Allowed values of an enum.
 * @property {number} [min]
 * @property {number} [max]
 * @property {string} [max_field] The value must not exceed this other field's value.
 * @property {string} [range_label] Name used in range messages (the server's wording).
 */

/**
 * @typedef {object} ApplicationRules
 * @property {FieldRule[]} fields
 */

/**
 * A number typed by a person: thousands separators (`,`, `_`, spaces) allowed; `null` when empty, `NaN` when it is
 * not a number.
 *
 * @param {string | null | undefined} text
 * @returns {number | null}
 */
export function parseNumber(text) {
  const t = String(text ?? "").trim();
  if (t === "") return null;
  const compact = t.replace(/(\d)[,_ ](?=\d{3}\b)/g, "$1");
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(compact) ? Number(compact) : NaN;
}

/**
 * Whether `text` is `YYYYMMDD_NNNN` with a real calendar date (as the server checks it).
 *
 * @param {string} text
 */
export function isDobSsn(text) {
  const m = /^(\d{4})(\d{2})(\d{2})_(\d{4})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * The `dob_ssn` key from a date (`YYYY-MM-DD`, as date inputs give it) and the last four SSN digits.
 *
 * @param {string} dob
 * @param {string} ssn4
 */
export function dobSsn(dob, ssn4) {
  return `${dob.replaceAll("-", "")}_${ssn4}`;
}

/**
 * Checks the form's values (text as typed; `dob` and `ssn4` instead of `dob_ssn`). Returns the application to send
 * when nothing is wrong, and otherwise a message per form field (`dob` and `ssn4` for the `dob_ssn` key).
 *
 * @param {Record<string, string>} values
 * @param {ApplicationRules} rules
 * @param {{ today?: Date }} [opts]
 * @returns {{ application: Record<string, string | number> | null, errors: Record<string, string> }}
 */
export function checkApplication(values, rules, opts = {}) {
  /** @type {Record<string, string>} */
  const errors = {};
  /** @type {Record<string, string | number>} */
  const out = {};
  /** @type {Record<string, number>} */
  const numbers = {};
  for (const rule of rules.fields) {
    if (rule.kind === "dob_ssn") {
      const dob = String(values.dob ?? "").trim();
      const ssn4 = String(values.ssn4 ?? "").trim();
      const today = (opts.today ?? new Date()).toISOString().slice(0, 10);
      if (dob === "") errors.dob = "Date of birth is required";
      else if (!/^\d{4}-\d{2}-\d{2}$/.test(dob) || !isDobSsn(dobSsn(dob, "0000"))) {
        errors.dob = "Date of birth must be a real date";
      } else if (dob > today) errors.dob = "Date of birth cannot be in the future";
      if (ssn4 === "") errors.ssn4 = "Last four SSN digits are required";
      else if (!/^\d{4}$/.test(ssn4)) errors.ssn4 = "Enter exactly four digits";
      if (!errors.dob && !errors.ssn4) out[rule.name] = dobSsn(dob, ssn4);
      continue;
    }
    const raw = String(values[rule.name] ?? "").trim();
    const label = rule.label.charAt(0).toUpperCase() + rule.label.slice(1);
    if (raw === "") {
      errors[rule.name] = rule.kind === "enum" ? `Choose the ${rule.label}` : `${label} is required`;
      continue;
    }
    if (rule.kind === "enum") {
      const v = raw.toUpperCase();
      if (!(rule.values ?? []).includes(v)) errors[rule.name] = `Choose one of: ${(rule.values ?? []).join(", ")}`;
      else out[rule.name] = v;
      continue;
    }
    const n = parseNumber(raw);
    if (n === null || Number.isNaN(n)) {
      errors[rule.name] = `${label} must be a number`;
      continue;
    }
    if (rule.kind === "integer" && !Number.isInteger(n)) {
      errors[rule.name] = `${label} must be a whole number`;
      continue;
    }
    numbers[rule.name] = n;
    const name = rule.range_label ?? rule.label;
    const tooLow = rule.min !== undefined && n < rule.min;
    const tooHigh = rule.max !== undefined && n > rule.max;
    if (tooLow || tooHigh) {
      const expected = rule.min !== undefined && rule.max !== undefined
        ? `between ${rule.min} and ${rule.max}`
        : rule.min !== undefined
        ? `at least ${rule.min}`
        : `at most ${rule.max}`;
      errors[rule.name] = `${name} is ${n}; expected ${expected}`;
      continue;
    }
    out[rule.name] = n;
  }
  for (const rule of rules.fields) {
    const other = rule.max_field;
    if (!other || errors[rule.name] || !(rule.name in numbers) || !(other in numbers)) continue;
    if (numbers[rule.name] > numbers[other]) {
      const otherLabel = rules.fields.find((f) => f.name === other)?.label ?? other;
      errors[rule.name] = `${rule.range_label ?? rule.label} is ${
        numbers[rule.name]
      }; expected at most ${otherLabel} (${numbers[other]})`;
    }
  }
  return Object.keys(errors).length ? { application: null, errors } : { application: out, errors };
}

/**
 * The form field where a server-side problem of an application field is shown (`dob_ssn` → `dob`).
 *
 * @param {string} field
 */
export function formFieldOf(field) {
  return field === "dob_ssn" ? "dob" : field;
}
