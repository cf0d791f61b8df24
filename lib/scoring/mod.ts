/**
 * Batch scoring: a generic engine that scores applications from files (Parquet or CSV, local or `s3://`) into
 * Parquet partitioned by date, with a manifest written last, and the reader of what it wrote. The application
 * specifics (which columns, which checks) come from the caller; lib/credit/batch_scoring.ts plugs in loan
 * applications.
 *
 * Output layout under an output root:
 *
 * ```
 * <output>/_manifests/<job>/shard-<i>-of-<n>.json                              manifest (written last)
 * <output>/runs/<job>/shard-<i>-of-<n>/<run_id>/date=YYYY-MM-DD/part-NNNNN.parquet   scored rows
 * <output>/runs/<job>/shard-<i>-of-<n>/<run_id>/_quarantine/part-NNNNN.parquet       bad rows + reasons
 * ```
 *
 * Reading (what monitoring uses): **only manifested runs are ever returned**.
 *
 * ```ts
 * readScoredRuns(output: string, opts?: {
 *   io?: IoOptions;                 // S3 settings
 *   jobs?: string[];                // only these jobs
 *   from?: string | Date;           // date partitions >= YYYY-MM-DD (the applications' event date, UTC)
 *   to?: string | Date;             // date partitions <= YYYY-MM-DD
 *   columns?: string[];             // only these columns
 *   verify?: boolean;               // check each file's SHA-256 against the manifest
 * }): Promise<{ table: arrow.Table; runs: ScoringManifest[]; files: ScoredFile[]; rows: number;
 *               ignored: { manifest: string; reason: string }[] }>
 * ```
 *
 * `scoredBatches(output, opts)` streams the same rows as record batches; `listScoredRuns(output, opts)` returns the
 * manifests and files without reading them. Each row has the application's ids (`loan_id`, `dob_ssn`, `zipcode`,
 * `event_timestamp`), `probability` (float64), `decision` ("approve" | "reject"), `threshold`, `model_name`,
 * `model_version`, `reason_1..3` (reason codes: feature groups, the strongest first) and `reason_1..3_impact`,
 * `flags`, `scored_at`, then the model's input columns (the values it used; null = missing, imputed) — see
 * output.ts for the full contract.
 *
 * @example
 * ```ts
 * import { readScoredRuns } from "./mod.ts";
 * const { table, runs } = await readScoredRuns("s3://bucket/scores", { from: "2024-05-01", columns: ["probability"] });
 * ```
 * @module
 */
export * from "./columns.ts";
export * from "./features.ts";
export * from "./input.ts";
export * from "./job.ts";
export * from "./manifest.ts";
export * from "./model.ts";
export * from "./output.ts";
export * from "./reader.ts";
export * from "./writer.ts";
