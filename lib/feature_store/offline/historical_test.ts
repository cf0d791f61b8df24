import * as arrow from "apache-arrow";
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { entity, featureRepo, featureService, featureView, fileSource } from "../definitions.ts";
import type { FeatureView } from "../definitions.ts";
import { getHistoricalFeatures, resolveFeatureRefs, RetrievalError } from "./historical.ts";
import { referencePitJoin } from "../../testing/pit_reference.ts";

const DAY = 86_400_000_000n;
const T0 = 1_600_000_000_000_000n; // 2020-09-13T12:26:40Z in µs

function ts(values: (bigint | null)[], tz: string | null = "UTC"): arrow.Vector {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => v !== null && (bitmap[i >> 3] |= 1 << (i & 7)));
  return arrow.makeVector(
    arrow.makeData({
      type: new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, tz),
      length: values.length,
      nullCount: values.filter((v) => v === null).length,
      nullBitmap: bitmap,
      data: BigInt64Array.from(values, (v) => v ?? 0n) as unknown as Int32Array,
    }),
  );
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const person = entity({ name: "dob_ssn", valueType: "string" });
const zipcode = entity({ name: "zipcode", valueType: "int64" });
const branch = entity({ name: "branch", joinKeys: ["branch_id", "region"], valueType: "string" });

function views(ttlDays: number) {
  const credit = featureView({
    name: "credit_history",
    entities: [person],
    ttl: `${ttlDays}d`,
    schema: [{ name: "missed_payments_6m", dtype: "int64" }, { name: "credit_card_due", dtype: "float64" }],
    source: fileSource({
      name: "credit",
      path: "mem://credit",
      timestampField: "event_timestamp",
      createdTimestampColumn: "created_timestamp",
    }),
  });
  const zips = featureView({
    name: "zipcode_features",
    entities: [zipcode],
    ttl: 0,
    schema: [{ name: "city", dtype: "string" }, { name: "population", dtype: "int64" }],
    source: fileSource({
      name: "zips",
      path: "mem://zips",
      timestampField: "ts",
      fieldMapping: { zip: "zipcode", pop: "population" },
    }),
  });
  const branches = featureView({
    name: "branch_stats",
    entities: [branch],
    ttl: "1d",
    schema: [{ name: "approval_rate", dtype: "float64" }],
    source: fileSource({ name: "branches", path: "mem://branches", timestampField: "ts" }),
  });
  return { credit, zips, branches };
}

/** Random data with every edge case: ties, ttl boundaries to the µs, late rows, nulls, duplicates, missing keys. */
function randomCase(seed: number) {
  const r = rng(seed);
  const ttlDays = 1 + Math.floor(r() * 5);
  const ttl = BigInt(ttlDays) * DAY;
  const people = Array.from({ length: 2 + Math.floor(r() * 8) }, (_, i) => `19${70 + i}0101_${1000 + i}`);
  const zipList = Array.from({ length: 1 + Math.floor(r() * 5) }, (_, i) => BigInt(10000 + i));
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const n = 1 + Math.floor(r() * 40);
  const eTs: bigint[] = [];
  for (let i = 0; i < n; i++) eTs.push(T0 + BigInt(Math.floor(r() * 20)) * DAY / 2n + BigInt(Math.floor(r() * 3)));
  const ePeople = Array.from({ length: n }, () => (r() < 0.1 ? "nobody_0000" : pick(people)));
  const eZips = Array.from({ length: n }, () => (r() < 0.1 ? 99999n : pick(zipList)));
  const eBranch = Array.from({ length: n }, () => pick(["b1", "b2", "b3"]));
  const eRegion = Array.from({ length: n }, () => pick(["north", "south"]));
  // duplicate entity rows (same keys and timestamp)
  for (let i = 0; i < 3 && n > 0; i++) {
    const j = Math.floor(r() * eTs.length);
    eTs.push(eTs[j]);
    ePeople.push(ePeople[j]);
    eZips.push(eZips[j]);
    eBranch.push(eBranch[j]);
    eRegion.push(eRegion[j]);
  }
  const m = Math.floor(r() * 80);
  const cDob: (string | null)[] = [], cEvent: (bigint | null)[] = [], cCreated: (bigint | null)[] = [];
  const cMissed: (bigint | null)[] = [], cDue: (number | null)[] = [];
  for (let k = 0; k < m; k++) {
    const base = eTs[Math.floor(r() * eTs.length)];
    const roll = r();
    // exactly at the ttl boundary, one µs outside it, equal to the entity ts, or random
    const event = roll < 0.15
      ? base - ttl
      : roll < 0.25
      ? base - ttl - 1n
      : roll < 0.35
      ? base
      : roll < 0.4
      ? base + 1n
      : base - BigInt(Math.floor(r() * 6)) * DAY / 2n;
    cDob.push(r() < 0.03 ? null : pick(people));
    cEvent.push(r() < 0.03 ? null : event);
    cCreated.push(r() < 0.05 ? null : event + BigInt(Math.floor(r() * 3)) * 1000n);
    cMissed.push(r() < 0.1 ? null : BigInt(Math.floor(r() * 5)));
    cDue.push(r() < 0.1 ? null : Math.round(r() * 10000) / 100);
    if (r() < 0.2) {
      // late-arriving correction: same key and event time, later created time, other values
      cDob.push(cDob.at(-1)!);
      cEvent.push(event);
      cCreated.push(event + 5000n);
      cMissed.push(BigInt(Math.floor(r() * 5)));
      cDue.push(Math.round(r() * 10000) / 100);
    }
  }
  const credit = new arrow.Table({
    dob_ssn: arrow.vectorFromArray(cDob, new arrow.Utf8()),
    event_timestamp: ts(cEvent),
    created_timestamp: ts(cCreated),
    missed_payments_6m: arrow.vectorFromArray(cMissed, new arrow.Int64()),
    credit_card_due: arrow.vectorFromArray(cDue, new arrow.Float64()),
  });
  const zRows = zipList.flatMap((z) => (r() < 0.3 ? [z, z] : [z]));
  const zips = new arrow.Table({
    zip: arrow.vectorFromArray(zRows, new arrow.Int64()),
    city: arrow.vectorFromArray(zRows.map((z) => (r() < 0.1 ? null : `CITY ${z}`)), new arrow.Utf8()),
    pop: arrow.vectorFromArray(zRows.map(() => BigInt(Math.floor(r() * 1e5))), new arrow.Int64()),
    ts: ts(zRows.map(() => T0 - BigInt(Math.floor(r() * 40)) * DAY / 4n)),
  });
  const bRows = Math.floor(r() * 20);
  const branches = new arrow.Table({
    branch_id: arrow.vectorFromArray(Array.from({ length: bRows }, () => pick(["b1", "b2", "b3"])), new arrow.Utf8()),
    region: arrow.vectorFromArray(Array.from({ length: bRows }, () => pick(["north", "south"])), new arrow.Utf8()),
    approval_rate: arrow.vectorFromArray(Array.from({ length: bRows }, () => r()), new arrow.Float64()),
    ts: ts(
      Array.from({ length: bRows }, () => eTs[Math.floor(r() * eTs.length)] - BigInt(Math.floor(r() * 3)) * DAY / 2n),
    ),
  });
  const entities = new arrow.Table({
    loan_id: arrow.vectorFromArray(eTs.map((_, i) => i), new arrow.Int32()),
    dob_ssn: arrow.vectorFromArray(ePeople, new arrow.Utf8()),
    zipcode: arrow.vectorFromArray(eZips, new arrow.Int64()),
    branch_id: arrow.vectorFromArray(eBranch, new arrow.Utf8()),
    region: arrow.vectorFromArray(eRegion, new arrow.Utf8()),
    event_timestamp: ts(eTs),
  });
  return { ttl, ttlDays, entities, tables: { credit, zips, branches } as Record<string, arrow.Table> };
}

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
    const got = await getHistoricalFeatures(repo, {
      entities,
      features: [
        "credit_history:missed_payments_6m",
        "credit_history:credit_card_due",
        "zipcode_features:city",
        "zipcode_features:population",
        "branch_stats:approval_rate",
      ],
      fullFeatureNames: seed % 2 === 0,
    }, { loadSource: loaderFor(tables) });
    const full = seed % 2 === 0;
    const name = (view: string, f: string) => (full ? `${view}__${f}` : f);
    const expected = referencePitJoin({
      entities,
      entityTs: "event_timestamp",
      views: [
        {
          table: tables.credit,
          keys: [["dob_ssn", "dob_ssn"]],
          ts: "event_timestamp",
          created: "created_timestamp",
          features: [
            [name("credit_history", "missed_payments_6m"), "missed_payments_6m"],
            [name("credit_history", "credit_card_due"), "credit_card_due"],
          ],
          ttlMicros: ttl,
        },
        {
          table: tables.zips,
          keys: [["zipcode", "zip"]],
          ts: "ts",
          features: [[name("zipcode_features", "city"), "city"], [name("zipcode_features", "population"), "pop"]],
          ttlMicros: 0n,
        },
        {
          table: tables.branches,
          keys: [["branch_id", "branch_id"], ["region", "region"]],
          ts: "ts",
          features: [[name("branch_stats", "approval_rate"), "approval_rate"]],
          ttlMicros: DAY,
        },
      ],
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
