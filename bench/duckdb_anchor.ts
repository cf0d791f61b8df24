/**
 * DuckDB as the anchor of the benchmarks that join the credit repo's two views point in time: the same ASOF JOIN as
 * the local engine (latest created row per event time, ttl as a bound: credit_history 90 days, zipcode_features 3650
 * days) over `loan_table`, `credit_history` and `zipcode_table` Parquet files in one folder. `bench pit` times the
 * join; `bench score` times {@link duckdbScoringFloor}, the join plus a linear score written as Parquet partitioned
 * by date: the least work a scoring job does, in a vectorized C++ engine.
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { CREDIT_FEATURES, ZIPCODE_FEATURES as ZIP_FEATURES } from "../lib/credit/schemas.ts";

/** `SELECT <columns of e>, <features> FROM loans ASOF LEFT JOIN credit ASOF LEFT JOIN zipcodes` over `dir`'s files. */
export function duckdbAsofSelect(dir: string, loanColumns = "e.*"): string {
  const c = CREDIT_FEATURES.map((f) =>
    `CASE WHEN c.event_timestamp >= e.event_timestamp - INTERVAL 90 DAY THEN c.${f} END AS ${f}`
  );
  const z = ZIP_FEATURES.map((f) =>
    `CASE WHEN z.event_timestamp >= e.event_timestamp - INTERVAL 3650 DAY THEN z.${f} END AS ${f}`
  );
  return `WITH e AS (SELECT * FROM read_parquet('${dir}/loan_table.parquet')),
c AS (SELECT * FROM read_parquet('${dir}/credit_history.parquet')
      QUALIFY row_number() OVER (PARTITION BY dob_ssn, event_timestamp ORDER BY created_timestamp DESC) = 1),
z AS (SELECT * FROM read_parquet('${dir}/zipcode_table.parquet')
      QUALIFY row_number() OVER (PARTITION BY zipcode, event_timestamp ORDER BY created_timestamp DESC) = 1)
SELECT ${loanColumns}, ${[...c, ...z].join(", ")}
FROM e
ASOF LEFT JOIN c ON e.dob_ssn = c.dob_ssn AND e.event_timestamp >= c.event_timestamp
ASOF LEFT JOIN z ON e.zipcode = z.zipcode AND e.event_timestamp >= z.event_timestamp`;
}

/**
 * The floor of a scoring job in DuckDB, from local files in `dir` to Parquet partitioned by date in `out` (replaced):
 * point-in-time join, a logistic of a linear combination of four columns in place of the model, a decision at a fixed
 * threshold, the model columns as constants, and no reason codes. Returns the seconds taken.
 */
export async function duckdbScoringFloor(conn: DuckDBConnection, dir: string, out: string): Promise<number> {
  await Deno.remove(out, { recursive: true }).catch(() => {});
  const joined = duckdbAsofSelect(
    dir,
    "e.loan_id, e.dob_ssn, e.zipcode, e.event_timestamp, e.person_income, e.loan_int_rate",
  );
  const started = performance.now();
  await conn.run(`COPY (
WITH j AS (${joined}),
s AS (SELECT loan_id, dob_ssn, zipcode, event_timestamp,
  1 / (1 + exp(-(1e-5 * coalesce(credit_card_due, 0) + 0.3 * coalesce(missed_payments_6m, 0) + 0.05 * loan_int_rate
                 - 1e-5 * person_income))) AS probability
  FROM j)
SELECT *, CASE WHEN probability >= 0.15 THEN 'reject' ELSE 'approve' END AS decision, 0.15 AS threshold,
  'credit_default' AS model_name, 1 AS model_version, NULL::VARCHAR AS reason_1, NULL::VARCHAR AS reason_2,
  NULL::VARCHAR AS reason_3, now() AS scored_at, strftime(event_timestamp, '%Y-%m-%d') AS date
FROM s) TO '${out}' (FORMAT parquet, PARTITION_BY (date))`);
  return (performance.now() - started) / 1000;
}
