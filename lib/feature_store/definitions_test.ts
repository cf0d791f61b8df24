import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import {
  canonicalJson,
  DefinitionError,
  entity,
  featureRefs,
  featureRepo,
  featureService,
  featureView,
  type FeatureViewOptions,
  fileSource,
  formatDuration,
  isIdentifier,
  parseDuration,
  redshiftSource,
  repoProblems,
  sortKeys,
  sourceColumn,
  toCanonical,
} from "./definitions.ts";

const zipcode = entity({ name: "zipcode", valueType: "int64" });
const person = entity({ name: "dob_ssn", valueType: "string" });
const zipSource = fileSource({
  name: "zipcode_table",
  path: "data/zipcode_table.parquet",
  timestampField: "event_timestamp",
  createdTimestampColumn: "created_timestamp",
});

function zipView(overrides: Partial<FeatureViewOptions> = {}) {
  return featureView({
    name: "zipcode_features",
    entities: [zipcode],
    ttl: "3650d",
    schema: [{ name: "city", dtype: "string" }, { name: "population", dtype: "int64" }],
    source: zipSource,
    ...overrides,
  });
}

function throwsMessage(fn: () => unknown, ...parts: string[]): void {
  const err = assertThrows(fn, DefinitionError);
  for (const part of parts) assertStringIncludes(err.message, part);
}

Deno.test("parseDuration reads numbers, units and compound durations", () => {
  assertEquals(parseDuration("90d"), 90 * 86400);
  assertEquals(parseDuration("3650d"), 3650 * 86400);
  assertEquals(parseDuration("12h"), 43200);
  assertEquals(parseDuration("1h30m"), 5400);
  assertEquals(parseDuration("2w"), 14 * 86400);
  assertEquals(parseDuration("1500ms"), 1.5);
  assertEquals(parseDuration("45"), 45);
  assertEquals(parseDuration(45), 45);
  assertEquals(parseDuration(0), 0);
  assertEquals(parseDuration(undefined), 0);
});

Deno.test("parseDuration rejects malformed and negative durations naming the value", () => {
  for (const bad of ["90x", "d90", "", "-1d", "1d 2h", "1.2.3s"]) {
    throwsMessage(() => parseDuration(bad), `"${bad}"`);
  }
  throwsMessage(() => parseDuration(-5), "-5");
  throwsMessage(() => parseDuration(Number.NaN), "NaN");
});

Deno.test("formatDuration is the inverse of parseDuration on whole units", () => {
  assertEquals(formatDuration(7776000), "90d");
  assertEquals(formatDuration(5400), "1h30m");
  assertEquals(formatDuration(0), "0");
  for (const s of ["3650d", "1d12h", "45s"]) assertEquals(formatDuration(parseDuration(s)), s);
});

Deno.test("isIdentifier", () => {
  assertEquals(["a", "_x1", "missed_payments_6m"].map(isIdentifier), [true, true, true]);
  assertEquals(["6m", "a-b", "", "a b", 3].map(isIdentifier), [false, false, false, false, false]);
});

Deno.test("entity defaults its join key to its name and validates fields", () => {
  assertEquals(zipcode.joinKeys, ["zipcode"]);
  assertEquals(entity({ name: "p", joinKeys: ["a", "b"], valueType: "int64" }).joinKeys, ["a", "b"]);
  throwsMessage(() => entity({ name: "bad-name", valueType: "int64" }), 'Entity "bad-name"', '"name"');
  throwsMessage(() => entity({ name: "e", valueType: "int128" as "int64" }), 'Entity "e"', '"valueType"', "int128");
  throwsMessage(() => entity({ name: "e", joinKeys: [], valueType: "int64" }), '"joinKeys"');
  throwsMessage(() => entity({ name: "e", joinKeys: ["a", "a"], valueType: "int64" }), '"joinKeys"', '"a" twice');
  throwsMessage(
    () => entity({ name: "e", valueType: "int64", tags: { team: 1 as unknown as string } }),
    'tag "team"',
  );
});

Deno.test("definitions are frozen", () => {
  assertThrows(() => (zipcode.joinKeys as string[]).push("x"), TypeError);
  assertThrows(() => ((zipcode as { name: string }).name = "y"), TypeError);
});

Deno.test("fileSource validates path, timestamps and field mapping", () => {
  throwsMessage(() => fileSource({ name: "s", path: " ", timestampField: "ts" }), 'File source "s"', '"path"');
  throwsMessage(() => fileSource({ name: "s", path: "x.csv", timestampField: "" }), '"timestampField"');
  throwsMessage(
    () => fileSource({ name: "s", path: "x.csv", timestampField: "ts", createdTimestampColumn: "ts" }),
    '"createdTimestampColumn"',
  );
  throwsMessage(
    () => fileSource({ name: "s", path: "x.csv", timestampField: "ts", fieldMapping: { a: "f", b: "f" } }),
    'maps both "a" and "b" to "f"',
  );
  throwsMessage(
    () => fileSource({ name: "s", path: "x.csv", timestampField: "ts", fieldMapping: { a: "not valid" } }),
    'fieldMapping["a"]',
  );
  const s = fileSource({ name: "s", path: "x.CSV", timestampField: "ts", fieldMapping: { "Amount $": "amount" } });
  assertEquals(sourceColumn(s, "amount"), "Amount $");
  assertEquals(sourceColumn(s, "other"), "other");
});

Deno.test("redshiftSource needs exactly one of table and query", () => {
  const t = redshiftSource({ name: "r", table: "public.credit", timestampField: "ts" });
  assertEquals(t.table, "public.credit");
  redshiftSource({ name: "q", query: "select * from x", timestampField: "ts", database: "dev" });
  throwsMessage(() => redshiftSource({ name: "r", timestampField: "ts" }), 'Redshift source "r"', '"table"', '"query"');
  throwsMessage(
    () => redshiftSource({ name: "r", table: "t", query: "select 1", timestampField: "ts" }),
    "exactly one",
  );
  throwsMessage(() => redshiftSource({ name: "r", table: "drop table;", timestampField: "ts" }), '"table"');
  throwsMessage(() => redshiftSource({ name: "r", table: "t", schema: "x y", timestampField: "ts" }), '"schema"');
});

Deno.test("featureView parses ttl and defaults online to true", () => {
  const view = zipView();
  assertEquals(view.ttlSeconds, 3650 * 86400);
  assertEquals(view.online, true);
  assertEquals(zipView({ ttl: undefined }).ttlSeconds, 0);
  assertEquals(zipView({ ttl: 3600, online: false }).online, false);
});

Deno.test("featureView rejects invalid definitions naming the view and field", () => {
  throwsMessage(() => zipView({ ttl: "-3d" }), 'Feature view "zipcode_features"', '"ttl"', '"-3d"');
  throwsMessage(() => zipView({ ttl: "ninety days" }), '"ttl"');
  throwsMessage(() => zipView({ ttl: -1 }), '"ttl"');
  throwsMessage(() => zipView({ entities: [] }), '"entities"');
  throwsMessage(() => zipView({ entities: [zipcode, zipcode] }), '"zipcode" twice');
  throwsMessage(() => zipView({ schema: [] }), '"schema"');
  throwsMessage(
    () => zipView({ schema: [{ name: "city", dtype: "string" }, { name: "city", dtype: "int64" }] }),
    '"schema"',
    '"city" twice',
  );
  throwsMessage(() => zipView({ schema: [{ name: "zipcode", dtype: "int64" }] }), 'feature "zipcode"', "join key");
  throwsMessage(
    () => zipView({ schema: [{ name: "event_timestamp", dtype: "unix_timestamp" }] }),
    'feature "event_timestamp"',
    "timestamp",
  );
  throwsMessage(() => zipView({ schema: [{ name: "2city", dtype: "string" }] }), '"schema[0].name"', '"2city"');
  throwsMessage(() => zipView({ schema: [{ name: "city", dtype: "text" as "string" }] }), '"text"', "int64");
  throwsMessage(() => zipView({ source: {} as typeof zipSource }), '"source"');
  throwsMessage(() => zipView({ name: "zip code" }), 'Feature view "zip code"', '"name"');
});

Deno.test("select() projects existing features only", () => {
  const view = zipView();
  assertEquals(view.select(["population"]).features, ["population"]);
  throwsMessage(() => view.select(["populaton"]), 'feature "populaton"', 'Feature view "zipcode_features"');
  throwsMessage(() => view.select([]), "at least one");
});

Deno.test("featureService expands whole views and lists refs in order", () => {
  const view = zipView();
  const service = featureService({ name: "svc", features: [view] });
  assertEquals(featureRefs(service), ["zipcode_features:city", "zipcode_features:population"]);
  const lite = featureService({ name: "lite", features: [view.select(["population"])] });
  assertEquals(featureRefs(lite), ["zipcode_features:population"]);
  throwsMessage(() => featureService({ name: "svc", features: [] }), 'Feature service "svc"', '"features"');
  throwsMessage(() => featureService({ name: "svc", features: [view, view.select(["city"])] }), "twice");
});

Deno.test("featureRepo cross-checks entities, views, services and unique names", () => {
  const view = zipView();
  const service = featureService({ name: "svc", features: [view] });
  const repo = featureRepo({ entities: [zipcode], views: [view], services: [service] });
  assertEquals(repo.views.length, 1);

  throwsMessage(
    () => featureRepo({ entities: [], views: [view] }),
    'Feature view "zipcode_features": entity "zipcode" is not registered',
  );
  throwsMessage(
    () => featureRepo({ entities: [zipcode, zipcode], views: [] }),
    'entity name "zipcode" is defined twice',
  );
  throwsMessage(
    () => featureRepo({ entities: [zipcode], views: [view, zipView()] }),
    'feature view name "zipcode_features" is defined twice',
  );
  throwsMessage(
    () => featureRepo({ entities: [zipcode], views: [], services: [service] }),
    'Feature service "svc": feature view "zipcode_features" is not registered',
  );
  const otherZip = entity({ name: "zipcode", valueType: "string" });
  throwsMessage(
    () => featureRepo({ entities: [otherZip], views: [view] }),
    'entity "zipcode" differs from the registered entity',
  );
  // A service built from an older version of a view.
  const older = zipView({ ttl: "1d" });
  throwsMessage(
    () =>
      featureRepo({ entities: [zipcode], views: [view], services: [featureService({ name: "s", features: [older] })] }),
    'Feature service "s": feature view "zipcode_features" differs',
  );
  // Two views sharing a source name with different definitions.
  const other = featureView({
    name: "other",
    entities: [zipcode],
    schema: [{ name: "x", dtype: "int64" }],
    source: fileSource({ name: "zipcode_table", path: "elsewhere.parquet", timestampField: "event_timestamp" }),
  });
  throwsMessage(() => featureRepo({ entities: [zipcode], views: [view, other] }), 'source "zipcode_table" differs');
  // All problems are reported together.
  const problems = repoProblems({
    entities: [],
    views: [view],
    services: [featureService({ name: "s", features: [other] })],
  });
  assertEquals(problems, [
    'Feature view "zipcode_features": entity "zipcode" is not registered in the repo',
    'Feature service "s": feature view "other" is not registered in the repo',
  ]);
});

Deno.test("canonical forms have sorted keys and ignore construction details", () => {
  const a = entity({ name: "zipcode", valueType: "int64" });
  const b = entity({ valueType: "int64", joinKeys: ["zipcode"], name: "zipcode" });
  assertEquals(canonicalJson(a), canonicalJson(b));
  assertEquals(
    canonicalJson(a),
    '{"description":"","join_keys":["zipcode"],"name":"zipcode","tags":{},"value_type":"int64"}',
  );
  const view = toCanonical(zipView()) as Record<string, unknown>;
  assertEquals(Object.keys(view), [...Object.keys(view)].sort());
  assertEquals(view.ttl_seconds, 3650 * 86400);
  assertEquals(view.entities, ["zipcode"]);
  assertEquals((view.source as Record<string, unknown>).type, "file");
  assertEquals(canonicalJson(zipView()) === canonicalJson(zipView({ ttl: "3649d" })), false);
  assertEquals(canonicalJson(zipView()), canonicalJson(zipView({ ttl: 3650 * 86400 })));
  const person2 = entity({ name: "dob_ssn", valueType: "string", description: "x" });
  assertEquals(canonicalJson(person) === canonicalJson(person2), false);
});

Deno.test("sortKeys drops undefined members and functions", () => {
  assertEquals(JSON.stringify(sortKeys({ b: 1, a: { d: undefined, c: 2 }, f: () => 1 })), '{"a":{"c":2},"b":1}');
});
