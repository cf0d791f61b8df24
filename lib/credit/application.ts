/**
 * A loan application as it arrives over HTTP or from a form: parsed and checked field by field, with every problem
 * named (missing, wrong type, unknown category, malformed `dob_ssn`). Out-of-range values (age 133) are the model's
 * input checks' job (`validateApplication` in ./model_spec.ts) and are reported separately.
 *
 * @example
 * ```ts
 * import { parseApplication } from "./application.ts";
 * const { application, problems } = parseApplication({ zipcode: 76104, dob_ssn: "19530219_5179", person_age: 22 });
 * ```
 * @module
 */

/** Home ownership values the lender accepts. */
export const HOME_OWNERSHIP = ["RENT", "OWN", "MORTGAGE", "OTHER"] as const;
/** Loan purposes the lender accepts. */
export const LOAN_INTENTS = [
  "DEBTCONSOLIDATION",
  "EDUCATION",
  "HOMEIMPROVEMENT",
  "MEDICAL",
  "PERSONAL",
  "VENTURE",
] as const;

/** A checked loan application. */
export interface LoanApplication {
  zipcode: number;
  dob_ssn: string;
  person_age: number;
  person_income: number;
  person_home_ownership: typeof HOME_OWNERSHIP[number];
  person_emp_length: number;
  loan_intent: typeof LOAN_INTENTS[number];
  loan_amnt: number;
  loan_int_rate: number;
}

/** One field's problem. */
export interface FieldProblem {
  field: string;
  message: string;
}

type FieldRule =
  | { kind: "integer" | "number" }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "dob_ssn" };

/** The fields of an application and how each is checked (also used by the web form). */
export const APPLICATION_FIELDS: Readonly<Record<keyof LoanApplication, FieldRule & { label: string }>> = {
  zipcode: { kind: "integer", label: "zipcode" },
  dob_ssn: { kind: "dob_ssn", label: "date of birth and last four SSN digits" },
  person_age: { kind: "integer", label: "age" },
  person_income: { kind: "number", label: "annual income" },
  person_home_ownership: { kind: "enum", values: HOME_OWNERSHIP, label: "home ownership" },
  person_emp_length: { kind: "number", label: "employment length (years)" },
  loan_intent: { kind: "enum", values: LOAN_INTENTS, label: "loan purpose" },
  loan_amnt: { kind: "number", label: "loan amount" },
  loan_int_rate: { kind: "number", label: "interest rate (%)" },
};

/** Whether `text` is `YYYYMMDD_NNNN` with a real calendar date. */
export function isDobSsn(text: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})_(\d{4})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * Checks a JSON object field by field; `application` is set only when there is no problem. Unknown fields are
 * problems too (a misspelt field would otherwise be silently imputed).
 */
export function parseApplication(
  body: Record<string, unknown>,
): { application?: LoanApplication; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(body)) {
    if (!(key in APPLICATION_FIELDS)) {
      problems.push({ field: key, message: `Field "${key}" is not part of a loan application` });
    }
  }
  for (const [field, rule] of Object.entries(APPLICATION_FIELDS)) {
    const value = body[field];
    if (value === undefined || value === null || value === "") {
      problems.push({ field, message: `Field "${field}" (${rule.label}) is required` });
      continue;
    }
    if (rule.kind === "integer" || rule.kind === "number") {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        problems.push({ field, message: `Field "${field}" must be a number, got ${JSON.stringify(value)}` });
      } else if (rule.kind === "integer" && !Number.isInteger(value)) {
        problems.push({ field, message: `Field "${field}" must be a whole number, got ${value}` });
      } else out[field] = value;
    } else if (rule.kind === "enum") {
      if (typeof value !== "string" || !rule.values.includes(value.toUpperCase())) {
        problems.push({
          field,
          message: `Field "${field}" is ${JSON.stringify(value)}; expected one of ${rule.values.join(", ")}`,
        });
      } else out[field] = value.toUpperCase();
    } else {
      if (typeof value !== "string" || !isDobSsn(value)) {
        problems.push({
          field,
          message: `Field "${field}" is ${
            JSON.stringify(value)
          }; expected YYYYMMDD_NNNN (date of birth, last four SSN digits)`,
        });
      } else out[field] = value;
    }
  }
  return problems.length ? { problems } : { application: out as unknown as LoanApplication, problems };
}

/** An application's fields as sent to `/score`, before checking: numbers and strings. */
export type ApplicationBody = { [K in keyof LoanApplication]: LoanApplication[K] extends number ? number : string };

/**
 * The application fields of a loan row (e.g. a row of the loan table, with `toJSON()`), converted the way `/score`
 * takes them: numeric fields with `Number`, the others with `String`. Other columns of the row are left out.
 *
 * @example
 * ```ts
 * import { applicationFromRow } from "./application.ts";
 * const body = applicationFromRow(loans.get(0)!.toJSON());
 * await fetch("http://127.0.0.1:6566/score", { method: "POST", body: JSON.stringify(body) });
 * ```
 */
export function applicationFromRow(row: Record<string, unknown>): ApplicationBody {
  const out: Record<string, number | string> = {};
  for (const [field, rule] of Object.entries(APPLICATION_FIELDS)) {
    out[field] = rule.kind === "integer" || rule.kind === "number" ? Number(row[field]) : String(row[field]);
  }
  return out as ApplicationBody;
}
