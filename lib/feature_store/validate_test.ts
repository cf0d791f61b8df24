import * as arrow from "apache-arrow";
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { readSchema } from "../io/mod.ts";
import { creditRepo } from "../credit/repo.ts";
import { entity, featureView, type FeatureViewOptions, fileSource } from "./definitions.ts";
import { isCompatible, validateViewSchema } from "./validate.ts";

const DATA = new URL("../../../shared/data/feast-credit/", import.meta.url).pathname;
const hasData = await Deno.stat(`${DATA}zipcode_table.parquet`).then(() => true, () => false);
if (!hasData) console.warn(`%cSkipping real-data validation tests: ${DATA} is absent`, "color: orange");

const zipcode = entity({ name: "zipcode", valueType: "int64" });

function zipView(overrides: Partial<FeatureViewOptions> = {}) {
  return featureView({
    name: "zipcode_features",
    entities: [zipcode],
    ttl: "3650d",
    schema: [
      { name: "city", dtype: "string" },
      { name: "state", dtype: "string" },
      { name: "location_type", dtype: "string" },
      { name: "tax_returns_filed", dtype: "int64" },
      { name: "population", dtype: "int64" },
      { name: "total_wages", dtype: "int64" },
    ],
    source: fileSource({
      name: "zipcode_table",
      path: `${DATA}zipcode_table.parquet`,
      timestampField: "event_timestamp",
      createdTimestampColumn: "created_timestamp",
    }),
    ...overrides,
  });
}

const utc = () => new arrow.TimestampMicrosecond("UTC");
const schemaOf = (fields: [string, arrow.DataType, Record<string, string>?][]) =>
  new arrow.Schema(fields.map(([n, t, m]) => new arrow.Field(n, t, true, new Map(Object.entries(m ?? {})))));

Deno.test({
  name: "the real zipcode_table.parquet validates against zipcode_features",
  ignore: !hasData,
  fn: async () => {
    const result = validateViewSchema(zipView(), await readSchema(`${DATA}zipcode_table.parquet`));
    assertEquals(result, { errors: [], warnings: [] });
  },
});

Deno.test({
  name: "the credit repo's zipcode_features validates against the real file",
  ignore: !hasData,
  fn: async () => {
    const view = creditRepo({ dataDir: DATA }).views.find((v) => v.name === "zipcode_features")!;
    const result = validateViewSchema(view, await readSchema(`${DATA}zipcode_table.parquet`));
    assertEquals(result.errors, []);
  },
});

Deno.test({
  name: "a misspelt column and a wrong type against the real loan table are both reported",
  ignore: !hasData,
  fn: async () => {
    const path = `${DATA}loan_table.parquet`;
    const view = featureView({
      name: "loans",
      entities: [entity({ name: "dob_ssn", valueType: "string" })],
      schema: [
        { name: "person_age", dtype: "string" },
        { name: "person_incme", dtype: "int64" },
        { name: "loan_int_rate", dtype: "float64" },
        { name: "loan_amnt", dtype: "float64" },
      ],
      source: fileSource({ name: "loans", path, timestampField: "event_timestamp" }),
    });
    const { errors } = validateViewSchema(view, await readSchema(path));
    assertEquals(errors, [
      `Feature view "loans": column "person_age" has type Int64, feature "person_age" expects string`,
      `Feature view "loans": column "person_incme" missing from source "${path}"; did you mean "person_income"?`,
    ]);
  },
});

Deno.test({
  name: "the real credit history CSV sample validates, with naive-timestamp warnings",
  ignore: !hasData,
  fn: async () => {
    const path = `${DATA}credit_history_sample.csv`;
    const repo = creditRepo({ dataDir: DATA });
    const base = repo.views.find((v) => v.name === "credit_history")!;
    const view = featureView({
      name: base.name,
      entities: [...base.entities],
      ttl: base.ttlSeconds,
      schema: [...base.schema],
      source: fileSource({ ...base.source, path } as Parameters<typeof fileSource>[0]),
    });
    const result = validateViewSchema(view, await readSchema(path));
    assertEquals(result.errors, []);
    assertEquals(result.warnings.length, 2);
    assertStringIncludes(result.warnings[0], 'column "event_timestamp"');
    assertStringIncludes(result.warnings[0], "no time zone");
    const strict = validateViewSchema(view, await readSchema(path), { strict: true });
    assertEquals(strict.errors.length, 2);
  },
});

Deno.test({
  name: "the zipcode CSV sample (offsets in its timestamps) validates without warnings",
  ignore: !hasData,
  fn: async () => {
    const path = `${DATA}zipcode_table_sample.csv`;
    const view = zipView({
      source: fileSource({
        name: "z",
        path,
        timestampField: "event_timestamp",
        createdTimestampColumn: "created_timestamp",
      }),
    });
    assertEquals(validateViewSchema(view, await readSchema(path)), { errors: [], warnings: [] });
  },
});

Deno.test("all problems are collected: missing columns, types, join keys and timestamps", () => {
  const schema = schemaOf([
    ["zipcode", new arrow.Utf8()],
    ["city", new arrow.Utf8()],
    ["state", new arrow.Int32()],
    ["tax_returns_filed", new arrow.Float64()],
    ["population", new arrow.Int64()],
    ["total_wages", new arrow.Uint64()],
    ["event_timestamp", new arrow.Int64()],
  ]);
  const { errors } = validateViewSchema(zipView(), schema, { location: "s3://b/zip.parquet" });
  assertEquals(errors, [
    `Feature view "zipcode_features": column "zipcode" has type Utf8, join key "zipcode" of entity "zipcode" expects int64`,
    `Feature view "zipcode_features": column "state" has type Int32, feature "state" expects string`,
    `Feature view "zipcode_features": column "location_type" missing from source "s3://b/zip.parquet"`,
    `Feature view "zipcode_features": column "tax_returns_filed" has type Float64, feature "tax_returns_filed" expects int64`,
    `Feature view "zipcode_features": column "total_wages" has type Uint64, feature "total_wages" expects int64`,
    `Feature view "zipcode_features": timestamp field column "event_timestamp" has type Int64; expected a timestamp or date`,
    `Feature view "zipcode_features": created timestamp column "created_timestamp" missing from source "s3://b/zip.parquet"`,
  ]);
});

Deno.test("field mapping renames source columns to feature names", () => {
  const source = fileSource({
    name: "z",
    path: "z.parquet",
    timestampField: "ts",
    fieldMapping: { zip: "zipcode", pop: "population" },
  });
  const view = featureView({
    name: "v",
    entities: [zipcode],
    schema: [{ name: "population", dtype: "int64" }],
    source,
  });
  const good = schemaOf([["zip", new arrow.Int32()], ["pop", new arrow.Int64()], ["ts", utc()]]);
  assertEquals(validateViewSchema(view, good).errors, []);
  const bad = schemaOf([["zipcode", new arrow.Int32()], ["population", new arrow.Int64()], ["ts", utc()]]);
  assertEquals(validateViewSchema(view, bad).errors, [
    `Feature view "v": column "zip" (mapped to join key "zipcode") missing from source "z.parquet"`,
    `Feature view "v": column "pop" (mapped to feature "population") missing from source "z.parquet"`,
  ]);
});

Deno.test("timestamps: any unit with a zone is fine, naive is a warning (error when strict), dates accepted", () => {
  const view = featureView({
    name: "v",
    entities: [zipcode],
    schema: [{ name: "population", dtype: "int64" }],
    source: fileSource({ name: "z", path: "z.csv", timestampField: "ts", createdTimestampColumn: "created" }),
  });
  const withTs = (ts: arrow.DataType, created: arrow.DataType, meta?: Record<string, string>) =>
    schemaOf([["zipcode", new arrow.Int64()], ["population", new arrow.Int64()], ["ts", ts, meta], [
      "created",
      created,
    ]]);
  const ok = withTs(new arrow.TimestampSecond("UTC"), new arrow.TimestampNanosecond("Europe/Paris"));
  assertEquals(validateViewSchema(view, ok), { errors: [], warnings: [] });
  assertEquals(validateViewSchema(view, withTs(new arrow.DateDay(), utc())), { errors: [], warnings: [] });

  const naive = withTs(new arrow.TimestampMillisecond(), utc());
  const lenient = validateViewSchema(view, naive);
  assertEquals(lenient.errors, []);
  assertEquals(lenient.warnings, [
    `Feature view "v": column "ts" (timestamp field) in source "z.csv" has no time zone; read as UTC`,
  ]);
  assertEquals(validateViewSchema(view, naive, { strict: true }).errors, lenient.warnings);

  // CSV timestamps without offset are read as UTC and flagged with field metadata.
  const flagged = withTs(utc(), utc(), { tz_naive: "true" });
  assertEquals(validateViewSchema(view, flagged).warnings.length, 1);
  const mixed = withTs(utc(), utc(), { tz_naive: "mixed" });
  assertStringIncludes(validateViewSchema(view, mixed).warnings[0], "has values without a time zone");
});

Deno.test("isCompatible follows the documented widening rules", () => {
  const cases: [Parameters<typeof isCompatible>[0], arrow.DataType, boolean][] = [
    ["int64", new arrow.Int8(), true],
    ["int64", new arrow.Uint32(), true],
    ["int64", new arrow.Uint64(), false],
    ["int64", new arrow.Float64(), false],
    ["int32", new arrow.Int64(), false],
    ["int32", new arrow.Uint16(), true],
    ["int32", new arrow.Uint32(), false],
    ["float64", new arrow.Int64(), true],
    ["float64", new arrow.Float32(), true],
    ["float64", new arrow.Utf8(), false],
    ["float32", new arrow.Float64(), false],
    ["float32", new arrow.Float32(), true],
    ["float32", new arrow.Int16(), true],
    ["float32", new arrow.Int32(), false],
    ["string", new arrow.LargeUtf8(), true],
    ["string", new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), true],
    ["string", new arrow.Dictionary(new arrow.Int64(), new arrow.Int32()), false],
    ["string", new arrow.Binary(), false],
    ["bool", new arrow.Bool(), true],
    ["bool", new arrow.Int8(), false],
    ["unix_timestamp", new arrow.TimestampMicrosecond(), true],
    ["unix_timestamp", new arrow.DateMillisecond(), true],
    ["unix_timestamp", new arrow.Int64(), false],
  ];
  for (const [dtype, type, expected] of cases) {
    assert(isCompatible(dtype, type) === expected, `${dtype} <- ${type}: expected ${expected}`);
  }
});
