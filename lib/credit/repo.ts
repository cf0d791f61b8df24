/**
 * The credit-scoring feature repo of Feast's tutorial: two entities (a person's `dob_ssn` and a `zipcode`),
 * two feature views (`credit_history`, `zipcode_features`) and two feature services.
 *
 * Every feature carries a human-readable description (used for reason codes, e.g. `missed_payments_6m`:
 * "missed payments in the last 6 months").
 *
 * @example
 * ```ts
 * import { creditRepo } from "./repo.ts";
 * const repo = creditRepo({ dataDir: "s3://bucket/credit" });
 * repo.views.map((v) => v.source.kind === "file_source" && v.source.path);
 * // ["s3://bucket/credit/credit_history.parquet", "s3://bucket/credit/zipcode_table.parquet"]
 * ```
 * @module
 */
import {
  entity,
  type FeatureRepo,
  featureRepo,
  featureService,
  featureView,
  fileSource,
} from "../feature_store/definitions.ts";

/** Options of {@link creditRepo}. */
export interface CreditRepoOptions {
  /** Folder or s3:// prefix holding `credit_history.parquet` and `zipcode_table.parquet`. */
  dataDir: string;
}

/**
 * Builds the credit-scoring feature repo for data under `dataDir`.
 *
 * @example
 * ```ts
 * const repo = creditRepo({ dataDir: "data/generated" });
 * repo.services.map((s) => s.name); // ["credit_score_v1", "credit_score_lite"]
 * ```
 */
export function creditRepo(opts: CreditRepoOptions): FeatureRepo {
  const dir = opts.dataDir.replace(/\/+$/, "");

  const dobSsn = entity({
    name: "dob_ssn",
    valueType: "string",
    description: "the applicant: date of birth (YYYYMMDD) and last four digits of the social security number",
  });
  const zipcode = entity({
    name: "zipcode",
    valueType: "int64",
    description: "the zipcode of the applicant's address",
  });

  const creditHistory = featureView({
    name: "credit_history",
    entities: [dobSsn],
    ttl: "90d",
    description: "Credit bureau snapshot of the applicant's debts and payment history",
    source: fileSource({
      name: "credit_history",
      path: `${dir}/credit_history.parquet`,
      timestampField: "event_timestamp",
      createdTimestampColumn: "created_timestamp",
      description: "credit history snapshots, several per person over time",
    }),
    schema: [
      { name: "credit_card_due", dtype: "int64", description: "credit card balance due" },
      { name: "mortgage_due", dtype: "int64", description: "mortgage balance due" },
      { name: "student_loan_due", dtype: "int64", description: "student loan balance due" },
      { name: "vehicle_loan_due", dtype: "int64", description: "vehicle loan balance due" },
      { name: "hard_pulls", dtype: "int64", description: "hard credit inquiries" },
      { name: "missed_payments_2y", dtype: "int64", description: "missed payments in the last 2 years" },
      { name: "missed_payments_1y", dtype: "int64", description: "missed payments in the last year" },
      { name: "missed_payments_6m", dtype: "int64", description: "missed payments in the last 6 months" },
      { name: "bankruptcies", dtype: "int64", description: "bankruptcies on record" },
    ],
  });

  const zipcodeFeatures = featureView({
    name: "zipcode_features",
    entities: [zipcode],
    ttl: "3650d",
    description: "Demographics and income of the applicant's zipcode",
    source: fileSource({
      name: "zipcode_table",
      path: `${dir}/zipcode_table.parquet`,
      timestampField: "event_timestamp",
      createdTimestampColumn: "created_timestamp",
      description: "one row per zipcode",
    }),
    schema: [
      { name: "city", dtype: "string", description: "city of the applicant's zipcode" },
      { name: "state", dtype: "string", description: "state of the applicant's zipcode" },
      { name: "location_type", dtype: "string", description: "kind of location of the zipcode (e.g. primary)" },
      { name: "tax_returns_filed", dtype: "int64", description: "tax returns filed in the zipcode" },
      { name: "population", dtype: "int64", description: "population of the zipcode" },
      { name: "total_wages", dtype: "int64", description: "total wages earned in the zipcode" },
    ],
  });

  const v1 = featureService({
    name: "credit_score_v1",
    description: "All features of the credit-scoring model, version 1",
    features: [creditHistory, zipcodeFeatures],
  });
  const lite = featureService({
    name: "credit_score_lite",
    description: "A smaller model's inputs: payment history and local income only",
    features: [
      creditHistory.select(["missed_payments_2y", "missed_payments_1y", "missed_payments_6m", "bankruptcies"]),
      zipcodeFeatures.select(["population", "total_wages"]),
    ],
  });

  return featureRepo({ entities: [dobSsn, zipcode], views: [creditHistory, zipcodeFeatures], services: [v1, lite] });
}
