import { assert, assertEquals } from "@std/assert";
import { creditRiskTerm, loanRiskFeatures, loanRiskWidth, zipRiskTerm } from "./risk.ts";
import { sigmoid } from "../numeric/special.ts";

Deno.test("loanRiskFeatures places dummies after the base terms and leaves baselines at zero", () => {
  const out = new Float64Array(loanRiskWidth(3, 3));
  loanRiskFeatures({ intRate: 10, loanAmnt: 1000, income: 10000, empLength: 99, home: 0, intent: 2 }, 3, out);
  assertEquals(Array.from(out), [1, 10, 0.1, 0, 0, Math.log(10000), 40, 0, 0, 0, 1]);
  loanRiskFeatures({ intRate: 10, loanAmnt: 1000, income: 10000, empLength: 1, home: 2, intent: 0 }, 3, out);
  assertEquals(Array.from(out.slice(7)), [0, 1, 0, 0]);
});

Deno.test("credit and zipcode terms rise with risk", () => {
  const clean = {
    creditCardDue: 0,
    studentLoanDue: 0,
    vehicleLoanDue: 0,
    hardPulls: 0,
    missed2y: 0,
    missed1y: 0,
    missed6m: 0,
    bankruptcies: 0,
  };
  assertEquals(creditRiskTerm(clean, 1), 0);
  assert(creditRiskTerm({ ...clean, bankruptcies: 1 }, 1) > 0);
  assert(creditRiskTerm({ ...clean, creditCardDue: 1e9 }, 1) === creditRiskTerm({ ...clean, creditCardDue: 1e10 }, 1));
  assert(zipRiskTerm(10, 20) > zipRiskTerm(20, 20) && zipRiskTerm(0, 20) === 0);
  assert(sigmoid(3) > 0.95 && sigmoid(-3) < 0.05);
});
