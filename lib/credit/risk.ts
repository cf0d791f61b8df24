/**
 * The default-risk model shared by the profile fit (which learns the loan part from the real loan table) and the
 * generator (which adds the credit-history part and draws `loan_status`).
 *
 * logit P(default) = shift + Σ loanCoefficients · loanRiskFeatures(loan) + creditRiskTerm(credit, income)
 *                    + zipRiskTerm(average wage of the zipcode)
 *
 * @module
 */

/** Names of the loan risk features, before the home-ownership and loan-intent dummies. */
export const LOAN_RISK_BASE_TERMS = [
  "intercept",
  "loan_int_rate",
  "loan_to_income",
  "loan_to_income_over_0_25",
  "loan_to_income_over_0_35",
  "log_income",
  "emp_length",
] as const;

/** The loan attributes the risk model reads; `home` and `intent` are indexes into the profile's category lists. */
export interface LoanRiskInput {
  intRate: number;
  loanAmnt: number;
  income: number;
  empLength: number;
  home: number;
  intent: number;
}

/**
 * Number of loan risk features for the given numbers of home-ownership and intent categories
 * (first category of each is the baseline).
 *
 * @example
 * ```ts
 * import { loanRiskWidth } from "./risk.ts";
 * console.assert(loanRiskWidth(4, 6) === 15);
 * ```
 */
export function loanRiskWidth(homes: number, intents: number): number {
  return LOAN_RISK_BASE_TERMS.length + (homes - 1) + (intents - 1);
}

/**
 * Fills `out` with the loan risk features of one loan: intercept, int rate, loan-to-income with two hinges,
 * log income, employment length (capped at 40), then home-ownership and intent dummies.
 *
 * @example
 * ```ts
 * import { loanRiskFeatures, loanRiskWidth } from "./risk.ts";
 * const out = new Float64Array(loanRiskWidth(4, 6));
 * loanRiskFeatures({ intRate: 11, loanAmnt: 20000, income: 50000, empLength: 3, home: 1, intent: 0 }, 4, out);
 * console.assert(out[2] === 0.4 && Math.abs(out[4] - 0.05) < 1e-12 && out[7] === 1);
 * ```
 */
export function loanRiskFeatures(loan: LoanRiskInput, homes: number, out: Float64Array): Float64Array {
  out.fill(0);
  const lti = loan.loanAmnt / Math.max(loan.income, 1);
  out[0] = 1;
  out[1] = loan.intRate;
  out[2] = lti;
  out[3] = Math.max(0, lti - 0.25);
  out[4] = Math.max(0, lti - 0.35);
  out[5] = Math.log(Math.max(loan.income, 1));
  out[6] = Math.min(Math.max(loan.empLength, 0), 40);
  const base = LOAN_RISK_BASE_TERMS.length;
  if (loan.home > 0) out[base + loan.home - 1] = 1;
  if (loan.intent > 0) out[base + homes - 1 + loan.intent - 1] = 1;
  return out;
}

/** The credit state the default risk reads (the true values of the snapshot in force at the loan time). */
export interface CreditRiskInput {
  creditCardDue: number;
  studentLoanDue: number;
  vehicleLoanDue: number;
  hardPulls: number;
  missed2y: number;
  missed1y: number;
  missed6m: number;
  bankruptcies: number;
}

/** Log-odds added per unit of each credit quantity (chosen, not learned: the real credit history is not public). */
export const CREDIT_RISK_WEIGHTS = {
  missed6m: 0.55,
  missed1y: 0.25,
  missed2y: 0.06,
  bankruptcies: 0.7,
  hardPulls: 0.05,
  unsecuredDebtToIncome: 0.35,
} as const;

/**
 * Log-odds contribution of a credit state: missed payments (recent ones weigh more), bankruptcies, hard pulls and
 * unsecured debt (card + student + vehicle dues) over income, capped at 3.
 *
 * @example
 * ```ts
 * import { creditRiskTerm } from "./risk.ts";
 * const clean = { creditCardDue: 0, studentLoanDue: 0, vehicleLoanDue: 0, hardPulls: 0, missed2y: 0, missed1y: 0,
 *   missed6m: 0, bankruptcies: 0 };
 * console.assert(creditRiskTerm({ ...clean, missed6m: 1 }, 50000) > creditRiskTerm(clean, 50000));
 * ```
 */
export function creditRiskTerm(credit: CreditRiskInput, income: number): number {
  const w = CREDIT_RISK_WEIGHTS;
  const dti = Math.min(3, (credit.creditCardDue + credit.studentLoanDue + credit.vehicleLoanDue) / Math.max(income, 1));
  return w.missed6m * credit.missed6m + w.missed1y * credit.missed1y + w.missed2y * credit.missed2y +
    w.bankruptcies * credit.bankruptcies + w.hardPulls * credit.hardPulls + w.unsecuredDebtToIncome * dti;
}

/**
 * Log-odds contribution of the zipcode: a small penalty for low average wages per tax return (0 at the median).
 *
 * @example
 * ```ts
 * import { zipRiskTerm } from "./risk.ts";
 * console.assert(zipRiskTerm(20000, 40000) > 0 && zipRiskTerm(40000, 40000) === 0);
 * ```
 */
export function zipRiskTerm(averageWage: number, medianAverageWage: number): number {
  if (!(averageWage > 0) || !(medianAverageWage > 0)) return 0;
  return -0.2 * Math.log(averageWage / medianAverageWage);
}
