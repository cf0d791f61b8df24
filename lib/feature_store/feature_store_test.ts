import * as arrow from "apache-arrow";
import { assert, assertEquals, assertGreater, assertRejects } from "@std/assert";
import { FeatureStore } from "./feature_store.ts";
import { resolveConfig } from "./config.ts";
import { creditRepo } from "../credit/repo.ts";
import { createGenerator } from "../credit/generate.ts";
import { readTable, writeBatches } from "../io/mod.ts";
import { columnValues, tableColumns, toDataFrame } from "../io/dataframe.ts";
import { referencePitJoin } from "../testing/pit_reference.ts";
import { entity, featureRepo, featureView, fileSource } from "./definitions.ts";

const SHARED = new URL("../../../shared/data/feast-credit/", import.meta.url).pathname;
const hasShared = await Deno.stat(`${SHARED}/loan_table.parquet`).then(() => true, () => false);
if (!hasShared) console.warn(`\n!!! SKIPPING real-data tests: ${SHARED} is absent !!!\n`);

async function generated(dir: string, loans = 600) {
  const gen = createGenerator({ seed: 7, loans });
  await writeBatches(`${dir}/zipcode_table.parquet`, gen.zipcodeBatches());
  await writeBatches(`${dir}/loan_table.parquet`, gen.loanBatches());
  await writeBatches(`${dir}/credit_history.parquet`, gen.creditHistoryBatches());
}

Deno.test("FeatureStore: apply then a training set from Parquet files equals the slow reference", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await generated(dir);
    const config = resolveConfig({ fromFile: { data_dir: dir, registry: `${dir}/registry.json` } });
    const store = await FeatureStore.open({ config, repo: (c) => creditRepo({ dataDir: c.data_dir }) });
    const applied = await store.apply({ log: () => {} });
    assert(applied.written);
    const training = await store.getHistoricalFeatures({
      entities: `${dir}/loan_table.parquet`,
      features: store.getFeatureService("credit_score_v1"),
    });
    const loans = await readTable(`${dir}/loan_table.parquet`);
    assertEquals(training.numRows, loans.numRows);
    const credit = await readTable(`${dir}/credit_history.parquet`);
    const zips = await readTable(`${dir}/zipcode_table.parquet`);
    const creditFeatures = store.repo.views.find((v) => v.name === "credit_history")!.schema.map((f) => f.name);
    const zipFeatures = store.repo.views.find((v) => v.name === "zipcode_features")!.schema.map((f) => f.name);
    const expected = referencePitJoin({
      entities: loans.slice(0, 150),
      entityTs: "event_timestamp",
      views: [
        {
          table: credit,
          keys: [["dob_ssn", "dob_ssn"]],
          ts: "event_timestamp",
          created: "created_timestamp",
          features: creditFeatures.map((f) => [f, f]),
          ttlMicros: 90n * 86_400_000_000n,
        },
        {
          table: zips,
          keys: [["zipcode", "zipcode"]],
          ts: "event_timestamp",
          created: "created_timestamp",
          features: zipFeatures.map((f) => [f, f]),
          ttlMicros: 3650n * 86_400_000_000n,
        },
      ],
    });
    assertEquals(training.slice(0, 150).toArray().map((r) => ({ ...r.toJSON() })), expected);
    // the join matters: some loans have credit features, some (ttl passed / no history) have none
    const missed = training.getChild("missed_payments_6m")!;
    const nulls = [...missed].filter((v) => v === null).length;
    assertGreater(nulls, 0);
    assertGreater(training.numRows - nulls, training.numRows / 2);
    const df = await store.getHistoricalDataFrame({
      entities: loans.slice(0, 5),
      features: ["zipcode_features:state"],
    });
    assertEquals(df.shape[0], 5);
    assertEquals(df.column("state").values, columnValues(training.getChild("state")!.slice(0, 5)));
    // entity rows as a DataFrame: the same training rows as from the table (exact timestamps: a snapshot taken at
    // the very microsecond of a loan is found)
    const entityFrame = await toDataFrame(loans.slice(0, 150));
    const fromFrame = await store.getHistoricalFeatures({
      entities: entityFrame,
      features: store.getFeatureService("credit_score_v1"),
    });
    assertEquals(fromFrame.schema.fields.map(String), training.schema.fields.map(String));
    assertEquals(tableColumns(fromFrame), tableColumns(training.slice(0, 150)));
    await store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FeatureStore: SQL entities need the redshift store; unknown services are named", async () => {
  const config = resolveConfig({});
  const store = await FeatureStore.open({ config, repo: (c) => creditRepo({ dataDir: c.data_dir }) });
  await assertRejects(
    async () =>
      await store.getHistoricalFeatures({ entities: { sql: "select 1" }, features: ["credit_history:hard_pulls"] }),
    TypeError,
    "redshift",
  );
  let message = "";
  try {
    store.getFeatureService("nope");
  } catch (err) {
    message = (err as Error).message;
  }
  assertEquals(message, `Unknown feature service "nope"; known: credit_score_v1, credit_score_lite`);
});

Deno.test({
  name: "real data: the tutorial's loan table joined with its real zipcode table",
  ignore: !hasShared,
  fn: async () => {
    const zipcode = entity({ name: "zipcode", valueType: "int64" });
    const view = featureView({
      name: "zipcode_features",
      entities: [zipcode],
      ttl: "3650d",
      schema: [
        { name: "city", dtype: "string" },
        { name: "state", dtype: "string" },
        { name: "population", dtype: "int64" },
      ],
      source: fileSource({
        name: "zipcode_table",
        path: `${SHARED}/zipcode_table.parquet`,
        timestampField: "event_timestamp",
        createdTimestampColumn: "created_timestamp",
      }),
    });
    const config = resolveConfig({});
    const store = await FeatureStore.open({ config, repo: featureRepo({ entities: [zipcode], views: [view] }) });
    const training = await store.getHistoricalFeatures({
      entities: `${SHARED}/loan_table.parquet`,
      features: ["zipcode_features:city", "zipcode_features:state", "zipcode_features:population"],
    });
    assertEquals(training.numRows, 28_638);
    assertEquals(training.schema.fields.length, 13 + 3);
    // every real loan's zipcode is in the zipcode table and within 3650 days of 2017-01-01
    const city = training.getChild("city")!;
    const matched = [...city].filter((v) => v !== null).length;
    assertGreater(matched, 28_000);
    const first = training.get(0)!.toJSON();
    assertEquals(first.loan_id, 10000n);
    assertEquals(typeof first.city, "string");
    assert(training.getChild("event_timestamp")!.type instanceof arrow.Timestamp);
  },
});
