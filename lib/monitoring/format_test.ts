import { assertEquals } from "@std/assert";
import { formatCount, formatShare, formatStat, formatValue, mixedPercentFormats } from "./format.ts";

Deno.test("formatShare: one decimal everywhere; tiny non-zero shares never read as 0.0% or 100.0%", () => {
  assertEquals(
    [0.1, 0.375, 0, 1, 0.002, 0.0004, 0.9996, 0.12345].map(formatShare),
    ["10.0%", "37.5%", "0.0%", "100.0%", "0.2%", "<0.1%", ">99.9%", "12.3%"],
  );
  assertEquals([formatShare(null), formatShare(undefined), formatShare(NaN)], ["–", "–", "–"]);
});

Deno.test("formatStat: four decimals; tiny p-values in scientific notation", () => {
  assertEquals(
    [0.61598, 0.2013542, 0.0191, 0, 0.1, 3.2e-12, -0.5, 2.5e7].map(formatStat),
    ["0.6160", "0.2014", "0.0191", "0.0000", "0.1000", "3.20e-12", "-0.5000", "2.500e+7"],
  );
  assertEquals([formatStat(null), formatStat(Infinity)], ["–", "Infinity"]);
});

Deno.test("formatValue and formatCount: four significant digits with thousands separators; grouped counts", () => {
  assertEquals(
    [66680.84, 9798.46, 3.21348, 0.0417512, 0, 1234567, 5e-6, -12.345].map(formatValue),
    ["66,680", "9,798", "3.213", "0.04175", "0", "1,235,000", "5.00e-6", "-12.35"],
  );
  assertEquals([formatCount(20000), formatCount(1234567.4), formatCount(null)], ["20,000", "1,234,567", "–"]);
});

Deno.test("mixedPercentFormats finds percentages written another way", () => {
  assertEquals(mixedPercentFormats("10.0% of rows, <0.1%, >99.9%, 1,234.5% and 100.0%"), []);
  assertEquals(mixedPercentFormats("10% beside 10.0%, 3.25% and 7 %"), ["10%", "3.25%", "7 %"]);
});
