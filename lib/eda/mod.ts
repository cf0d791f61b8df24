/**
 * Exploratory data analysis of Arrow tables: column summaries and missing values, rates of a 0/1 target over time
 * and by segment, histograms and value counts, what a join added, data-quality flags (values outside declared
 * ranges, suspicious spikes), features over time, and SVG charts of each. Used by the notebooks; nothing here knows
 * about credit.
 *
 * @example
 * ```ts
 * import { missingShares, rateByPeriod, summarizeColumns } from "./mod.ts";
 * summarizeColumns(loans);
 * missingShares(loans);
 * rateByPeriod(loans, { time: "event_timestamp", target: "loan_status", period: "month" });
 * ```
 * @module
 */
export * from "./columns.ts";
export * from "./summary.ts";
export * from "./rates.ts";
export * from "./distribution.ts";
export * from "./join.ts";
export * from "./quality.ts";
export * from "./over_time.ts";
export * from "./frames.ts";
export * from "./charts.ts";
