import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { entity, featureView, redshiftSource } from "../../definitions.ts";
import { RetrievalError } from "../historical.ts";
import {
  checkS3Uri,
  copyParquetSql,
  iamRoleClause,
  insertStatements,
  intervalLiteral,
  pointInTimeSql,
  pullLatestSql,
  quoteIdent,
  sourceRelation,
  sqlString,
  timestampParameter,
  unloadParquetSql,
} from "./sql.ts";

const person = entity({ name: "person", joinKeys: ["dob_ssn", "branch"], valueType: "string" });

function view(opts: { timestampField?: string; mapping?: Record<string, string>; ttl?: string | number } = {}) {
  return featureView({
    name: "credit",
    entities: [person],
    ttl: opts.ttl ?? "2d",
    schema: [{ name: "due", dtype: "float64" }, { name: "missed", dtype: "int64" }],
    source: redshiftSource({
      name: "credit_src",
      table: "credit_history",
      schema: "feast",
      timestampField: opts.timestampField ?? "event_ts",
      createdTimestampColumn: "created",
      fieldMapping: opts.mapping ?? { card_due: "due", ssn: "dob_ssn" },
    }),
  });
}

Deno.test("quoteIdent double-quotes identifiers and rejects anything else, naming it", () => {
  assertEquals(quoteIdent("event_timestamp", "column"), `"event_timestamp"`);
  for (const bad of ['a"b', "drop table", "1st", "", "a;b", "é"]) {
    assertThrows(() => quoteIdent(bad, "entity column"), RetrievalError, `Entity column is "${bad}"`);
  }
  assertEquals(sqlString("it's"), "'it''s'");
});

Deno.test("the point-in-time SQL quotes every identifier, maps fields, and has no values in it", () => {
  const sql = pointInTimeSql({
    entityTable: "feast_entities_1",
    rowIdColumn: "_entity_row_id",
    entityTsColumn: "event_timestamp",
    entityColumns: ["loan_id"],
    views: [{
      view: view(),
      features: ["missed", "due"],
      names: ["credit__missed", "credit__due"],
      rowOrderColumn: "_row",
    }],
  });
  assertMatch(sql, /INNER JOIN "feast"\."credit_history" AS f/);
  assertMatch(sql, /f\."ssn" = e\."dob_ssn"/);
  assertMatch(sql, /f\."branch" = e\."branch"/);
  assertMatch(sql, /f\."event_ts" <= e\."event_timestamp"/);
  assertMatch(sql, /f\."event_ts" >= e\."event_timestamp" - INTERVAL '172800 seconds'/);
  assertMatch(sql, /f\."card_due" AS "_f1"/);
  assertMatch(sql, /ORDER BY "_event_ts" DESC, "_created_ts" DESC NULLS LAST, "_row_order" DESC NULLS LAST/);
  assertMatch(sql, /"_v0"\."_f0" AS "credit__missed"/);
  assertMatch(sql, /ORDER BY e\."_entity_row_id"$/);
  // no ttl: no lower bound; no row order: the feature values break ties
  const noTtl = pointInTimeSql({
    entityTable: "t",
    rowIdColumn: "rid",
    entityTsColumn: "ts",
    entityColumns: [],
    views: [{ view: view({ ttl: 0 }), features: ["due"], names: ["due"] }],
    orderBy: false,
  });
  assert(!noTtl.includes("INTERVAL"));
  assert(!noTtl.includes("ORDER BY e."));
  assertMatch(noTtl, /"_created_ts" DESC NULLS LAST, "_f0" DESC NULLS LAST\)/);
  // every quote-delimited string is the ttl interval: no value is spliced in
  assertEquals(sql.match(/'[^']*'/g), ["'172800 seconds'"]);
});

Deno.test("unsafe source columns and names are errors naming the view and column", () => {
  assertThrows(
    () =>
      pointInTimeSql({
        entityTable: "t",
        rowIdColumn: "rid",
        entityTsColumn: "ts",
        entityColumns: [],
        views: [{ view: view({ timestampField: "event ts" }), features: ["due"], names: ["due"] }],
      }),
    RetrievalError,
    `Timestamp column of feature view "credit" is "event ts"`,
  );
  assertThrows(
    () =>
      pointInTimeSql({
        entityTable: "t",
        rowIdColumn: "rid",
        entityTsColumn: 'ts"; --',
        entityColumns: [],
        views: [{ view: view(), features: ["due"], names: ["due"] }],
      }),
    RetrievalError,
    "Entity timestamp column",
  );
  const q = redshiftSource({ name: "q", query: "SELECT * FROM credit;  ", timestampField: "ts" });
  assertEquals(sourceRelation(q), "(SELECT * FROM credit)");
  const multi = redshiftSource({ name: "m", query: "SELECT 1; DROP TABLE credit", timestampField: "ts" });
  assertThrows(() => sourceRelation(multi), RetrievalError, `source "m" must be a single statement`);
  const db = redshiftSource({ name: "d", table: "t", schema: "s", database: "dev", timestampField: "ts" });
  assertEquals(sourceRelation(db), `"dev"."s"."t"`);
});

Deno.test("intervals are exact microseconds; timestamps as parameters are exact", () => {
  assertEquals(intervalLiteral(86400), "INTERVAL '86400 seconds'");
  assertEquals(intervalLiteral(0.0000015), "INTERVAL '0.000001 seconds'");
  assertEquals(intervalLiteral(1.5), "INTERVAL '1.500000 seconds'");
  assertThrows(() => intervalLiteral(-1), RetrievalError);
  assertEquals(timestampParameter(1_600_000_000_000_001n), "2020-09-13 12:26:40.000001");
  assertEquals(timestampParameter(-1n), "1969-12-31 23:59:59.999999");
  assertEquals(timestampParameter(0n), "1970-01-01 00:00:00.000000");
});

Deno.test("pull-latest SQL takes the window as parameters", () => {
  const sql = pullLatestSql(view(), { rowOrderColumn: "_row" });
  assertMatch(sql, /f\."event_ts" >= CAST\(:start_ts AS TIMESTAMP\) AND f\."event_ts" <= CAST\(:end_ts AS TIMESTAMP\)/);
  assertMatch(sql, /PARTITION BY f\."ssn", f\."branch" ORDER BY f\."event_ts" DESC, f\."created" DESC NULLS LAST/);
  assertMatch(sql, /f\."ssn" IS NOT NULL AND f\."branch" IS NOT NULL/);
  assertMatch(sql, /ORDER BY "dob_ssn", "branch"$/);
  assertEquals(sql.match(/'[^']*'/g), null);
});

Deno.test("multi-row INSERTs carry values as parameters and split under the limits", () => {
  const rows = Array.from({ length: 7 }, (_, i) => [String(i), i === 3 ? null : i === 4 ? "" : `x'${i}`]);
  const statements = insertStatements("e", ["rid", "k"], rows, { maxRows: 3 });
  assertEquals(statements.length, 3);
  assertEquals(statements[0].sql, `INSERT INTO "e" ("rid", "k") VALUES (:p0, :p1), (:p2, :p3), (:p4, :p5)`);
  assertEquals(statements[1].sql, `INSERT INTO "e" ("rid", "k") VALUES (:p0, NULL), (:p1, ''), (:p2, :p3)`);
  assertEquals(statements[1].parameters, [{ name: "p0", value: "3" }, { name: "p1", value: "4" }, {
    name: "p2",
    value: "5",
  }, {
    name: "p3",
    value: "x'5",
  }]);
  for (const s of statements) for (const p of s.parameters) assert(!s.sql.includes(p.value) || /^\d$/.test(p.value));
  const bySize = insertStatements("e", ["k"], Array.from({ length: 100 }, () => ["v"]), { maxChars: 200 });
  assert(bySize.length > 1 && bySize.every((s) => s.sql.length <= 200));
  assertEquals(bySize.reduce((n, s) => n + s.parameters.length, 0), 100);
});

Deno.test("COPY and UNLOAD validate the staging URI and the IAM role", () => {
  const role = "arn:aws:iam::123456789012:role/redshift-s3";
  assertEquals(
    copyParquetSql("e", "s3://staging-bucket/feast/e/", role),
    `COPY "e" FROM 's3://staging-bucket/feast/e/' IAM_ROLE '${role}' FORMAT AS PARQUET`,
  );
  assertEquals(iamRoleClause(undefined), "IAM_ROLE default");
  assertThrows(() => iamRoleClause("x' CREDENTIALS '"), RetrievalError, `"offline_store.iam_role"`);
  assertThrows(
    () => checkS3Uri("s3://b/it's", "offline_store.s3_staging_location"),
    RetrievalError,
    "s3_staging_location",
  );
  assertThrows(() => checkS3Uri("https://b/x", "offline_store.s3_staging_location"), RetrievalError);
  assertEquals(
    unloadParquetSql("SELECT 'a' AS x, y::int FROM t", "s3://staging-bucket/u/", role),
    `UNLOAD ('SELECT ''a'' AS x, y::int FROM t') TO 's3://staging-bucket/u/' IAM_ROLE '${role}' FORMAT AS PARQUET`,
  );
  assertThrows(() => unloadParquetSql("SELECT * FROM t WHERE a = :a", "s3://staging-bucket/u/", role), RetrievalError);
});
