import * as arrow from "apache-arrow";
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { featureRepo, featureService } from "../definitions.ts";
import type { FeatureView } from "../definitions.ts";
import {
  ALL_FEATURES,
  branch,
  person,
  randomCase,
  referenceViews,
  T0,
  ts,
  views,
  zipcode,
} from "../../testing/pit_cases.ts";
import { getHistoricalFeatures, prepareHistoricalJoin, resolveFeatureRefs, RetrievalError } from "./historical.ts";
import { referencePitJoin } from "../../testing/pit_reference.ts";

function loaderFor(tables: Record<string, arrow.Table>) {
  return (view: FeatureView, columns: string[]) => {
    const table = tables[(view.source as { path: string }).path.slice("mem://".length)];
    return Promise.resolve(table.select(columns));
  };
}

function rowsOf(table: arrow.Table): Record<string, unknown>[] {
  return table.toArray().map((row) => ({ ...row.toJSON() }));
}

Deno.test("local engine agrees exactly with the slow reference on randomized edge cases", async () => {
  for (let seed = 1; seed <= 60; seed++) {
    const { ttl, ttlDays, entities, tables } = randomCase(seed);
    const v = views(ttlDays);
    const repo = featureRepo({ entities: [person, zipcode, branch], views: [v.credit, v.zips, v.branches] });
    const full = seed % 2 === 0;
    const got = await getHistoricalFeatures(repo, { entities, features: ALL_FEATURES, fullFeatureNames: full }, {
      loadSource: loaderFor(tables),
    });
    const expected = referencePitJoin({
      entities,
      entityTs: "event_timestamp",
      views: referenceViews(tables, ttl, full),
    });
    assertEquals(got.numRows, entities.numRows, `seed ${seed}`);
    assertEquals(rowsOf(got), expected, `seed ${seed}`);
  }
});

Deno.test("entity columns come back first, unchanged and in order; feature services resolve", async () => {
  const { entities, tables, ttlDays } = randomCase(7);
  const v = views(ttlDays);
  const service = featureService({ name: "svc", features: [v.zips.select(["population"]), v.credit] });
  const repo = featureRepo({ entities: [person, zipcode], views: [v.credit, v.zips], services: [service] });
  const got = await getHistoricalFeatures(repo, { entities, features: service, fullFeatureNames: true }, {
    loadSource: loaderFor(tables),
  });
  assertEquals(got.schema.fields.map((f) => f.name), [
    ...entities.schema.fields.map((f) => f.name),
    "zipcode_features__population",
    "credit_history__missed_payments_6m",
    "credit_history__credit_card_due",
  ]);
  assertEquals([...got.getChild("loan_id")!], [...entities.getChild("loan_id")!]);
});

Deno.test("bad requests are errors naming the column, view or feature", async () => {
  const { entities, tables } = randomCase(3);
  const v = views(2);
  const repo = featureRepo({ entities: [person, zipcode, branch], views: [v.credit, v.zips, v.branches] });
  const load = { loadSource: loaderFor(tables) };
  assertThrows(() => resolveFeatureRefs(repo, ["nope:x"]), RetrievalError, `Unknown feature view "nope"`);
  assertThrows(() => resolveFeatureRefs(repo, ["credit_history:x"]), RetrievalError, `Unknown feature "x"`);
  assertThrows(() => resolveFeatureRefs(repo, ["credit_history"]), RetrievalError, `"view:feature"`);
  await assertRejects(
    () =>
      getHistoricalFeatures(
        repo,
        { entities, features: ["zipcode_features:city"], eventTimestampColumn: "when" },
        load,
      ),
    RetrievalError,
    `no timestamp column "when"`,
  );
  await assertRejects(
    () =>
      getHistoricalFeatures(repo, {
        entities: entities.select(["event_timestamp", "zipcode"]),
        features: ["credit_history:missed_payments_6m"],
      }, load),
    RetrievalError,
    `Join key "dob_ssn" of feature view "credit_history" is missing`,
  );
  const naive = entities.assign(
    new arrow.Table({ event_timestamp: ts([...Array(entities.numRows)].map(() => T0), null) }),
  );
  await assertRejects(
    () => getHistoricalFeatures(repo, { entities: naive, features: ["zipcode_features:city"] }, load),
    RetrievalError,
    "has no time zone",
  );
  // a CSV column where only some values had an offset is flagged "mixed" by lib/io: ambiguous too
  const mixedField = new arrow.Field(
    "event_timestamp",
    new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, "UTC"),
    true,
    new Map([["tz_naive", "mixed"]]),
  );
  const utcTs = entities.getChild("event_timestamp")!;
  const mixed = new arrow.Table(
    new arrow.Schema(entities.schema.fields.map((f) => (f.name === "event_timestamp" ? mixedField : f))),
    entities.batches.map((b) =>
      new arrow.RecordBatch(
        new arrow.Schema(b.schema.fields.map((f) => (f.name === "event_timestamp" ? mixedField : f))),
        b.data,
      )
    ),
  );
  assertEquals(mixed.getChild("event_timestamp")!.length, utcTs.length);
  await assertRejects(
    () => getHistoricalFeatures(repo, { entities: mixed, features: ["zipcode_features:city"] }, load),
    RetrievalError,
    "has no time zone",
  );
  const ok = await getHistoricalFeatures(repo, {
    entities: naive,
    features: ["zipcode_features:city"],
    naiveTimestamps: "utc",
  }, load);
  assertEquals(ok.numRows, entities.numRows);
  const withNull = entities.assign(
    new arrow.Table({ event_timestamp: ts([null, ...[...Array(entities.numRows - 1)].map(() => T0)]) }),
  );
  await assertRejects(
    () => getHistoricalFeatures(repo, { entities: withNull, features: ["zipcode_features:city"] }, load),
    RetrievalError,
    "1 null value(s), first at row 0",
  );
  await assertRejects(
    () =>
      getHistoricalFeatures(repo, {
        entities: entities.assign(new arrow.Table({ city: arrow.vectorFromArray(Array(entities.numRows).fill("x")) })),
        features: ["zipcode_features:city"],
      }, load),
    RetrievalError,
    `clashes with entity column "city"`,
  );
  const wrongKeyType = entities.assign(
    new arrow.Table({ zipcode: arrow.vectorFromArray(Array(entities.numRows).fill("10000"), new arrow.Utf8()) }),
  );
  await assertRejects(
    () => getHistoricalFeatures(repo, { entities: wrongKeyType, features: ["zipcode_features:city"] }, load),
    RetrievalError,
    `Join key "zipcode" of feature view "zipcode_features"`,
  );
});

Deno.test("a prepared join gives getHistoricalFeatures' answer on randomized edge cases, whole or in batches", async () => {
  for (let seed = 1; seed <= 40; seed++) {
    const { entities, tables, ttlDays } = randomCase(seed);
    const v = views(ttlDays);
    const repo = featureRepo({ entities: [person, zipcode, branch], views: [v.credit, v.zips, v.branches] });
    const full = seed % 2 === 0;
    const request = { features: ALL_FEATURES, fullFeatureNames: full };
    const expected = await getHistoricalFeatures(repo, { ...request, entities }, { loadSource: loaderFor(tables) });
    const join = await prepareHistoricalJoin(repo, request, { loadSource: loaderFor(tables) });
    assertEquals(rowsOf(join.joinTable(entities)), rowsOf(expected), `seed ${seed}`);
    // the same index joins batches one after the other (the keys of a later batch are unknown to earlier ones)
    const half = Math.floor(entities.numRows / 2);
    const parts = [entities.slice(0, half), entities.slice(half)].map((t) => rowsOf(join.joinTable(t)));
    assertEquals([...parts[0], ...parts[1]], rowsOf(expected), `seed ${seed} in batches`);
  }
});

Deno.test("a prepared join names missing join keys and mistyped keys", async () => {
  const { entities, tables, ttlDays } = randomCase(3);
  const v = views(ttlDays);
  const repo = featureRepo({ entities: [person, zipcode], views: [v.credit, v.zips] });
  const join = await prepareHistoricalJoin(repo, { features: ["credit_history:missed_payments_6m"] }, {
    loadSource: loaderFor(tables),
  });
  assertEquals(join.names, ["missed_payments_6m"]);
  const ts = Float64Array.of(0);
  assertThrows(
    () => join.match({}, ts),
    RetrievalError,
    `Join key "dob_ssn" of feature view "credit_history" is missing`,
  );
  assertThrows(
    () => join.match({ dob_ssn: arrow.vectorFromArray([1.5]) }, ts),
    RetrievalError,
    `Join key "dob_ssn"`,
  );
  assertThrows(() => join.joinTable(entities.select(["zipcode", "event_timestamp"])), RetrievalError, `"dob_ssn"`);
});
