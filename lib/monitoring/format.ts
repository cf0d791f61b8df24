/**
 * One way to write numbers in drift and monitoring reports, so a page never shows "10%" beside "10.0%": shares as
 * percentages with one decimal, test statistics and PSI with four decimals, data values (means, bin edges) with four
 * significant digits and thousands separators, counts as grouped integers. The charts' share axes use
 * {@link SHARE_AXIS_FORMAT}, the same one-decimal percentages.
 *
 * @example
 * ```ts
 * import { formatShare, formatStat, formatValue } from "./format.ts";
 * formatShare(0.1); // "10.0%"
 * formatStat(0.61598); // "0.6160"
 * formatValue(66680.84); // "66,680"
 * ```
 * @module
 */

/** The d3 format of share axes in the charts: percentages with one decimal, as {@link formatShare} writes them. */
export const SHARE_AXIS_FORMAT = ".1%";

/** What a missing number is written as. */
export const MISSING = "–";

/**
 * A share (0..1) as a percentage with one decimal: "10.0%", "0.2%", "100.0%"; a share above 0 that would round to
 * 0.0% is "<0.1%" (and one below 1 that would round to 100.0% is ">99.9%"), so a non-zero share never reads as none.
 *
 * @example
 * ```ts
 * formatShare(0.375); // "37.5%"
 * formatShare(0.0002); // "<0.1%"
 * formatShare(null); // "–"
 * ```
 */
export function formatShare(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return MISSING;
  if (x > 0 && x < 0.0005) return "<0.1%";
  if (x < 1 && x >= 0.9995) return ">99.9%";
  return `${(x * 100).toFixed(1)}%`;
}

/**
 * A test score, statistic, threshold or PSI with four decimals ("0.6160", "0.0191"); magnitudes below 0.0001 (tiny
 * p-values) in scientific notation with three significant digits ("1.23e-12"), so they do not read as 0.
 *
 * @example
 * ```ts
 * formatStat(0.2013542); // "0.2014"
 * formatStat(3.2e-12); // "3.20e-12"
 * formatStat(0); // "0.0000"
 * ```
 */
export function formatStat(x: number | null | undefined): string {
  if (x === null || x === undefined) return MISSING;
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && a < 1e-4) return x.toExponential(2);
  if (a >= 1e6) return x.toExponential(3);
  return x.toFixed(4);
}

/**
 * A value of the data (a mean, a standard deviation, a bin edge) with four significant digits and thousands
 * separators: "66,680", "3.214", "0.2714"; magnitudes below 0.0001 in scientific notation.
 *
 * @example
 * ```ts
 * formatValue(9798.46); // "9,798"
 * formatValue(0.0417512); // "0.04175"
 * ```
 */
export function formatValue(x: number | null | undefined): string {
  if (x === null || x === undefined) return MISSING;
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  if (Math.abs(x) < 1e-4) return x.toExponential(2);
  return Number(x.toPrecision(4)).toLocaleString("en-US", { maximumFractionDigits: 20 });
}

/**
 * A count with thousands separators: "20,000".
 *
 * @example
 * ```ts
 * formatCount(1234567); // "1,234,567"
 * ```
 */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return MISSING;
  return Math.round(n).toLocaleString("en-US");
}

/**
 * Every percentage written in `text` that {@link formatShare} would not write (no decimal, two decimals...), for
 * tests that scan a rendered report: `["10%", "3.25%"]`. Empty when the text is consistent.
 *
 * @example
 * ```ts
 * mixedPercentFormats("10.0% of rows, then 12%"); // ["12%"]
 * ```
 */
export function mixedPercentFormats(text: string): string[] {
  const found = text.match(/\d[\d,.]*\s?%/g) ?? [];
  return found.filter((p) => !/^(\d{1,3}|\d{1,3}(,\d{3})+)\.\d%$/.test(p));
}
