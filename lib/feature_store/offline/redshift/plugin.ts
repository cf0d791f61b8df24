/**
 * The `redshift` offline store type: its `offline_store` settings and a factory that loads the engine (./mod.ts,
 * with the Redshift Data API SDK) only when the configuration names it.
 *
 * @example
 * ```ts
 * import { redshiftOfflineStore } from "./plugin.ts";
 * const store = await redshiftOfflineStore.open(config.offline_store, { s3: config.s3, source: config.source });
 * ```
 * @module
 */
import { ConfigError, describeSource } from "../../store_settings.ts";
import type { OfflineStorePlugin } from "../store.ts";

/** `offline_store` settings of `type: redshift`: the point-in-time join in Amazon Redshift via the Data API. */
export interface RedshiftOfflineStoreConfig {
  type: "redshift";
  /** Provisioned cluster identifier (or use `workgroup_name` for Redshift Serverless). */
  cluster_id?: string;
  /** Redshift Serverless workgroup. */
  workgroup_name?: string;
  region: string;
  database: string;
  /** Database user for temporary credentials (provisioned clusters). */
  user?: string;
  /** Secrets Manager ARN holding the database credentials, instead of `user`. */
  secret_arn?: string;
  /** s3:// prefix where entity rows are staged and large results are UNLOADed. */
  s3_staging_location: string;
  /** IAM role Redshift assumes for COPY/UNLOAD. */
  iam_role?: string;
  /** Data API endpoint override (S3-compatible tests, VPC endpoints). */
  endpoint?: string;
}

/**
 * The `redshift` offline store type: settings and factory.
 *
 * @example
 * ```ts
 * const store = await redshiftOfflineStore.open(
 *   { type: "redshift", cluster_id: "c1", region: "eu-west-1", database: "dev", user: "feast",
 *     s3_staging_location: "s3://staging/feast/" },
 *   { s3: {}, source: "feature_store.yaml" },
 * );
 * ```
 */
export const redshiftOfflineStore: OfflineStorePlugin<RedshiftOfflineStoreConfig> = {
  type: "redshift",
  description: "Amazon Redshift through the Data API (the join runs as SQL in the warehouse)",
  settings: {
    cluster_id: { kind: "string", doc: "Provisioned cluster identifier (or workgroup_name)" },
    workgroup_name: { kind: "string", doc: "Redshift Serverless workgroup (or cluster_id)" },
    region: { kind: "string", required: true, doc: "AWS region of the cluster or workgroup" },
    database: { kind: "string", required: true, doc: "Database name" },
    user: { kind: "string", doc: "Database user for temporary credentials (provisioned clusters)" },
    secret_arn: { kind: "string", secret: true, doc: "Secrets Manager ARN of the database credentials" },
    s3_staging_location: {
      kind: "string",
      required: true,
      doc: "s3:// prefix for staged entity rows and UNLOADed results",
    },
    iam_role: { kind: "string", doc: "IAM role Redshift assumes for COPY and UNLOAD" },
    endpoint: { kind: "string", doc: "Data API endpoint override" },
  },
  validate(section, place) {
    if (!section.cluster_id && !section.workgroup_name) {
      throw new ConfigError(
        `Setting "${place.prefix}cluster_id" or "${place.prefix}workgroup_name" is required for redshift in ${
          describeSource(place.source)
        }`,
      );
    }
  },
  async open(config, context) {
    const { RedshiftOfflineStore } = await import("./mod.ts");
    return new RedshiftOfflineStore({ config, s3: context.s3 });
  },
};
