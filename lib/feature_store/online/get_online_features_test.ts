import { assertEquals, assertRejects } from "@std/assert";
import { entity, featureRepo, featureService, featureView, fileSource } from "../definitions.ts";
import { encodeRecords } from "./codec.ts";
import { getOnlineFeatures, OnlineRequestError, toFeastResponse } from "./get_online_features.ts";
import type { OnlineStore } from "./interface.ts";
import { RedisOnlineStore } from "./redis.ts";
import { SqliteOnlineStore } from "./sqlite.ts";
import { requireService } from "../../testing/services.ts";

const redis = await requireService("redis");
const DAY = 86_400_000_000;
const NOW = Date.UTC(2021, 7, 1) * 1000;

const person = entity({ name: "dob_ssn", valueType: "string" });
const zipcode = entity({ name: "zipcode", valueType: "int64" });
const src = (name: string) => fileSource({ name, path: `mem://${name}`, timestampField: "event_timestamp" });
const credit = featureView({
  name: "credit_history",
  entities: [person],
  ttl: "90d",
  schema: [{ name: "missed_payments_6m", dtype: "int64" }, { name: "city", dtype: "string" }],
  source: src("credit"),
});
const zip = featureView({
  name: "zipcode_features",
  entities: [zipcode],
  schema: [{ name: "city", dtype: "string" }, { name: "population", dtype: "int64" }],
  source: src("zip"),
});
const service = featureService({ name: "svc", features: [credit.select(["missed_payments_6m"]), zip] });
const repo = featureRepo({ entities: [person, zipcode], views: [credit, zip], services: [service] });

async function seed(store: OnlineStore) {
  await store.onlineWriteBatch(
    credit,
    encodeRecords(credit, [
      { dob_ssn: "fresh", missed_payments_6m: 2, city: "A", event_timestamp: NOW - DAY },
      { dob_ssn: "nulls", missed_payments_6m: null, city: "B", event_timestamp: NOW - DAY },
      { dob_ssn: "stale", missed_payments_6m: 5, city: "C", event_timestamp: NOW - 91 * DAY },
      { dob_ssn: "edge", missed_payments_6m: 6, city: "D", event_timestamp: NOW - 90 * DAY },
    ]),
  );
  await store.onlineWriteBatch(
    zip,
    encodeRecords(zip, [{ zipcode: 76104, city: "FORT WORTH", population: 5000, event_timestamp: NOW - 3000 * DAY }]),
  );
}

const kinds: { name: string; ignore: boolean; make: () => OnlineStore }[] = [
  { name: "sqlite", ignore: false, make: () => new SqliteOnlineStore({ path: ":memory:", project: "p" }) },
  {
    name: "redis",
    ignore: !redis.available,
    make: () =>
      new RedisOnlineStore({
        config: { type: "redis", host: redis.host, port: redis.port, tls: false, db: 0, key_ttl_seconds: 0 },
        project: `test_${crypto.randomUUID().slice(0, 8)}`,
      }),
  },
];

for (const kind of kinds) {
  Deno.test({
    name: `getOnlineFeatures (${kind.name}): PRESENT, NULL_VALUE, NOT_FOUND, OUTSIDE_MAX_AGE and event timestamps`,
    ignore: kind.ignore,
    fn: async () => {
      const store = kind.make();
      try {
        await seed(store);
        const result = await getOnlineFeatures(repo, store, {
          features: ["credit_history:missed_payments_6m", "zipcode_features:population"],
          entityRows: ["fresh", "nulls", "stale", "edge", "unknown", "fresh"].map((dob_ssn, i) => ({
            dob_ssn,
            zipcode: i === 4 ? 1 : 76104,
          })),
          asOf: NOW,
        });
        assertEquals(result.featureNames, ["dob_ssn", "zipcode", "missed_payments_6m", "population"]);
        const [, , missed, population] = result.results;
        assertEquals(missed.values, [2, null, null, 6, null, 2]);
        assertEquals(missed.statuses, ["PRESENT", "NULL_VALUE", "OUTSIDE_MAX_AGE", "PRESENT", "NOT_FOUND", "PRESENT"]);
        assertEquals(missed.eventTimestamps, [NOW - DAY, NOW - DAY, NOW - 91 * DAY, NOW - 90 * DAY, null, NOW - DAY]);
        // zipcode_features has no ttl: never outside max age
        assertEquals(population.statuses, ["PRESENT", "PRESENT", "PRESENT", "PRESENT", "NOT_FOUND", "PRESENT"]);
        assertEquals(result.rows()[0], { dob_ssn: "fresh", zipcode: 76104, missed_payments_6m: 2, population: 5000 });
        // measured against now by default: everything in credit_history is far older than 90 days now
        const now = await getOnlineFeatures(repo, store, {
          features: service,
          entities: { dob_ssn: ["fresh"], zipcode: [76104] },
          fullFeatureNames: true,
        });
        assertEquals(now.featureNames, [
          "dob_ssn",
          "zipcode",
          "credit_history__missed_payments_6m",
          "zipcode_features__city",
          "zipcode_features__population",
        ]);
        assertEquals(now.results[2].statuses, ["OUTSIDE_MAX_AGE"]);
        const json = toFeastResponse(now);
        assertEquals(json.results[3], {
          values: ["FORT WORTH"],
          statuses: ["PRESENT"],
          event_timestamps: [new Date((NOW - 3000 * DAY) / 1000).toISOString()],
        });
        assertEquals(json.results[0].event_timestamps, ["1970-01-01T00:00:00Z"]);
      } finally {
        await store.teardown([credit, zip]);
        await store.close();
      }
    },
  });
}

Deno.test("getOnlineFeatures: malformed requests name the field", async () => {
  const store = new SqliteOnlineStore({ path: ":memory:", project: "p" });
  const ask = (request: Parameters<typeof getOnlineFeatures>[2]) => () => getOnlineFeatures(repo, store, request);
  const rows = [{ dob_ssn: "a", zipcode: 1 }];
  await assertRejects(ask({ features: ["nope:x"], entityRows: rows }), OnlineRequestError, `Feature view "nope"`);
  await assertRejects(ask({ features: ["credit_history:x"], entityRows: rows }), OnlineRequestError, `Feature "x"`);
  await assertRejects(ask({ features: ["credit_history"], entityRows: rows }), OnlineRequestError, "view:feature");
  await assertRejects(
    ask({ features: ["credit_history:city", "zipcode_features:city"], entityRows: rows }),
    OnlineRequestError,
    `Feature name "city" is in both feature views "credit_history" and "zipcode_features"`,
  );
  await assertRejects(
    ask({ features: ["zipcode_features:city"], entityRows: [{ zipcode: "76104" }] }),
    OnlineRequestError,
    `Entity row 0: Join key "zipcode" is "76104" (a string); expected an integer`,
  );
  await assertRejects(
    ask({ features: ["zipcode_features:city"], entityRows: [{ zipcode: 1 }, { dob_ssn: "x" }] }),
    OnlineRequestError,
    `Entity row 1: Join key "zipcode" is missing (a join key of feature view "zipcode_features")`,
  );
  await assertRejects(
    ask({ features: ["zipcode_features:city"], entities: { zipcode: [1, 2], dob_ssn: ["a"] } }),
    OnlineRequestError,
    `Field "entities.dob_ssn" has 1 values but "entities.zipcode" has 2`,
  );
  // resolved feature lists are kept per repo: a good list asked again, then a bad one, still throws
  const good = ["zipcode_features:city"];
  for (let i = 0; i < 2; i++) {
    const r = await getOnlineFeatures(repo, store, { features: good, entityRows: [{ zipcode: 1 }] });
    assertEquals(r.featureNames, ["zipcode", "city"]);
    const full = await getOnlineFeatures(repo, store, {
      features: good,
      entityRows: [{ zipcode: 1 }],
      fullFeatureNames: true,
    });
    assertEquals(full.featureNames, ["zipcode", "zipcode_features__city"]);
  }
  await assertRejects(
    ask({ features: ["zipcode_features:city\nzipcode_features:city"], entityRows: rows }),
    OnlineRequestError,
  );
  await store.close();
});
