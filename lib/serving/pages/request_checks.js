// @ts-check
/**
 * Checks of the generic scoring form, run in the browser before `/score` is called. They follow the rules the
 * server sends (`GET /api/request-rules`: the request fields of the repo's model spec with their kinds, categories,
 * ranges and patterns), so the form and the server agree without a second copy of the limits. Pure functions: no
 * DOM, so Deno tests run them directly.
 *
 * What is checked, per field: required unless nullable (an empty nullable field is sent as `null`), numbers parse
 * (thousands separators allowed), integers are whole, `min`/`max`, `max_field` (not above another field's value),
 * enum membership (the value sent is the listed one, upper-cased when `upper_case`), the text `pattern` (the whole
 * value must match).
 *
 * @module
 */

/**
 * @typedef {object} FormOption
 * @property {string} value
 * @property {string} label
 */

/**
 * @typedef {object} FormField
 * @property {string} name Request field (`policy_id`, ...).
 * @property {string} label Readable name.
 * @property {"integer" | "number" | "enum" | "text"} kind
 * @property {string[]} [values] Allowed values of an enum.
 * @property {FormOption[]} [options] Readable labels of the enum values.
 * @property {number} [min]
 * @property {number} [max]
 * @property {string} [max_field] The value must not exceed this other field's value.
 * @property {string} [range_label] Name used in range messages (the server's wording).
 * @property {boolean} [nullable] May be left empty (sent as null; the model imputes it).
 * @property {string} [pattern] Text: a regular expression the whole value must match.
 * @property {string} [pattern_hint] What the pattern means ("YYYYMMDD_NNNN").
 * @property {boolean} [upper_case] Enum values are compared and sent upper-cased.
 */

/**
 * @typedef {object} RequestRules
 * @property {FormField[]} fields
 */

/** @typedef {string | number | null} RequestValue */

/**
 * A number typed by a person: thousands separators (`,`, `_`, spaces) allowed; `null` when empty, `NaN` when it is
 * not a number.
 *
 * @example
 * ```js
 * parseNumber(" 12,500.5 "); // 12500.5
 * parseNumber("12 apples"); // NaN
 * ```
 *
 * @param {string | null | undefined} text
 * @returns {number | null}
 */
export function parseNumber(text) {
  const t = String(text ?? "").trim();
  if (t === "") return null;
  const compact = t.replace(/(\d)[,_ ](?=\d{3}(?!\d))/g, "$1");
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(compact) ? Number(compact) : NaN;
}

/**
 * A label with its first letter upper-cased, to start a message.
 *
 * @param {string} text
 */
function capital(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The regular expression of a field's `pattern`, anchored at both ends (null without a pattern or when it does not
 * compile; the server has already refused a spec whose pattern does not compile).
 *
 * @param {FormField} field
 * @returns {RegExp | null}
 */
export function patternOf(field) {
  if (field.pattern === undefined || field.pattern === "") return null;
  try {
    return new RegExp(`^(?:${field.pattern})$`);
  } catch {
    return null;
  }
}

/**
 * What a field expects, in words, for hints beside it ("between 0 and 40", "YYYYMMDD_NNNN").
 *
 * @example
 * ```js
 * expectedOf({ name: "age", label: "age", kind: "integer", min: 18, max: 100 }); // "a whole number between 18 and 100"
 * ```
 *
 * @param {FormField} field
 * @returns {string}
 */
export function expectedOf(field) {
  if (field.kind === "enum") return `one of ${(field.values ?? []).join(", ")}`;
  if (field.kind === "text") return field.pattern_hint ?? (field.pattern ? `text matching ${field.pattern}` : "text");
  const what = field.kind === "integer" ? "a whole number" : "a number";
  const range = rangeText(field);
  return range ? `${what} ${range}` : what;
}

/**
 * @param {FormField} field
 * @returns {string}
 */
function rangeText(field) {
  if (field.min !== undefined && field.max !== undefined) return `between ${field.min} and ${field.max}`;
  if (field.min !== undefined) return `at least ${field.min}`;
  if (field.max !== undefined) return `at most ${field.max}`;
  return "";
}

/**
 * Checks the form's values (text as typed, by field name). Returns the JSON body to post to `/score` when nothing
 * is wrong (numbers as numbers, enum values as listed, empty nullable fields as `null`), and otherwise a message
 * per field that names the field and what it expects.
 *
 * @example
 * ```js
 * const rules = { fields: [{ name: "vehicle_age", label: "vehicle age", kind: "integer", min: 0, max: 40 }] };
 * checkRequest({ vehicle_age: "7" }, rules); // { body: { vehicle_age: 7 }, errors: {} }
 * checkRequest({ vehicle_age: "41" }, rules).errors; // { vehicle_age: "vehicle age is 41; expected between 0 and 40" }
 * ```
 *
 * @param {Record<string, string | null | undefined>} values
 * @param {RequestRules} rules
 * @returns {{ body: Record<string, RequestValue> | null, errors: Record<string, string> }}
 */
export function checkRequest(values, rules) {
  /** @type {Record<string, string>} */
  const errors = {};
  /** @type {Record<string, RequestValue>} */
  const body = {};
  /** @type {Record<string, number>} */
  const numbers = {};
  for (const field of rules.fields) {
    const raw = String(values[field.name] ?? "").trim();
    const label = capital(field.label);
    if (raw === "") {
      if (field.nullable) body[field.name] = null;
      else errors[field.name] = field.kind === "enum" ? `Choose the ${field.label}` : `${label} is required`;
      continue;
    }
    if (field.kind === "enum") {
      const allowed = field.values ?? [];
      const typed = field.upper_case ? raw.toUpperCase() : raw;
      const found = allowed.find((v) => (field.upper_case ? v.toUpperCase() : v) === typed) ??
        allowed.find((v) => v.toUpperCase() === raw.toUpperCase());
      if (found === undefined) {
        errors[field.name] = `${label} is ${JSON.stringify(raw)}; expected one of ${allowed.join(", ")}`;
      } else body[field.name] = field.upper_case ? found.toUpperCase() : found;
      continue;
    }
    if (field.kind === "text") {
      const re = patternOf(field);
      if (re && !re.test(raw)) {
        errors[field.name] = `${label} is ${JSON.stringify(raw)}; expected ${expectedOf(field)}`;
      } else body[field.name] = raw;
      continue;
    }
    const n = parseNumber(raw);
    if (n === null || Number.isNaN(n)) {
      errors[field.name] = `${label} must be ${field.kind === "integer" ? "a whole number" : "a number"}, got ${
        JSON.stringify(raw)
      }`;
      continue;
    }
    if (field.kind === "integer" && !Number.isInteger(n)) {
      errors[field.name] = `${label} must be a whole number, got ${n}`;
      continue;
    }
    const tooLow = field.min !== undefined && n < field.min;
    const tooHigh = field.max !== undefined && n > field.max;
    if (tooLow || tooHigh) {
      errors[field.name] = `${field.range_label ?? field.label} is ${n}; expected ${rangeText(field)}`;
      continue;
    }
    numbers[field.name] = n;
    body[field.name] = n;
  }
  for (const field of rules.fields) {
    const other = field.max_field;
    if (!other || !(field.name in numbers) || !(other in numbers)) continue;
    if (numbers[field.name] > numbers[other]) {
      const otherLabel = rules.fields.find((f) => f.name === other)?.label ?? other;
      errors[field.name] = `${field.range_label ?? field.label} is ${
        numbers[field.name]
      }; expected at most ${otherLabel} (${numbers[other]})`;
    }
  }
  return Object.keys(errors).length ? { body: null, errors } : { body, errors };
}
