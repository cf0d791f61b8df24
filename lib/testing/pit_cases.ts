/**
 * Randomized point-in-time edge cases shared by the differential tests of the offline engines (local Arrow
 * engine, Redshift): ties on event time, ttl boundaries to the microsecond, late-arriving corrections, missing
 * entities, duplicate entity rows, several join keys, nulls in keys, timestamps and features. Test code.
 *
 * @example
 * ```ts
 * import { randomCase, referenceViews, views } from "./pit_cases.ts";
 * const { ttl, ttlDays, entities, tables } = randomCase(1);
 * const { credit, zips, branches } = views(ttlDays);
 * const specs = referenceViews(tables, ttl, false); // for referencePitJoin
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { type DataSource, entity, featureView, fileSource } from "../feature_store/definitions.ts";
import type { ReferenceView } from "./pit_reference.ts";

/** One day and a fixed instant (2020-09-13T12:26:40Z), in µs. */
export const DAY = 86_400_000_000n;
export const T0 = 1_600_000_000_000_000n; // 2020-09-13T12:26:40Z in µs

/** A Timestamp µs vector from exact µs (null = null; `tz` null = naive). */
export function ts(values: (bigint | null)[], tz: string | null = "UTC"): arrow.Vector {
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

import { seededRandom as rng } from "../numeric/random.ts";
/** The shared seeded PRNG (re-exported for the cases' users). */
export { rng };

/** The entities of the cases. */
export const person = entity({ name: "dob_ssn", valueType: "string" });
export const zipcode = entity({ name: "zipcode", valueType: "int64" });
export const branch = entity({ name: "branch", joinKeys: ["branch_id", "region"], valueType: "string" });

/** How a case's view reads its table: a factory of the view's source (default: a `mem://<table>` file source). */
export type SourceFactory = (opts: {
  name: string;
  table: "credit" | "zips" | "branches";
  timestampField: string;
  createdTimestampColumn?: string;
  fieldMapping?: Record<string, string>;
}) => DataSource;

const memSource: SourceFactory = (o) =>
  fileSource({
    name: o.name,
    path: `mem://${o.table}`,
    timestampField: o.timestampField,
    createdTimestampColumn: o.createdTimestampColumn,
    fieldMapping: o.fieldMapping,
  });

/**
 * The three views of the cases: `credit_history` (ttl in days, created timestamps), `zipcode_features` (no ttl,
 * field mapping `zip`→`zipcode`, `pop`→`population`), `branch_stats` (two join keys, ttl 1 day).
 */
export function views(ttlDays: number, source: SourceFactory = memSource) {
  const credit = featureView({
    name: "credit_history",
    entities: [person],
    ttl: `${ttlDays}d`,
    schema: [{ name: "missed_payments_6m", dtype: "int64" }, { name: "credit_card_due", dtype: "float64" }],
    source: source({
      name: "credit",
      table: "credit",
      timestampField: "event_timestamp",
      createdTimestampColumn: "created_timestamp",
    }),
  });
  const zips = featureView({
    name: "zipcode_features",
    entities: [zipcode],
    ttl: 0,
    schema: [{ name: "city", dtype: "string" }, { name: "population", dtype: "int64" }],
    source: source({
      name: "zips",
      table: "zips",
      timestampField: "ts",
      fieldMapping: { zip: "zipcode", pop: "population" },
    }),
  });
  const branches = featureView({
    name: "branch_stats",
    entities: [branch],
    ttl: "1d",
    schema: [{ name: "approval_rate", dtype: "float64" }],
    source: source({ name: "branches", table: "branches", timestampField: "ts" }),
  });
  return { credit, zips, branches };
}

/** Every feature of the three views, as `view:feature` references. */
export const ALL_FEATURES = [
  "credit_history:missed_payments_6m",
  "credit_history:credit_card_due",
  "zipcode_features:city",
  "zipcode_features:population",
  "branch_stats:approval_rate",
];

/** The slow reference's view specs for a case (output names with or without `view__`). */
export function referenceViews(tables: Record<string, arrow.Table>, ttl: bigint, full: boolean): ReferenceView[] {
  const name = (view: string, f: string) => (full ? `${view}__${f}` : f);
  return [
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
  ];
}

/** Random data with every edge case: ties, ttl boundaries to the µs, late rows, nulls, duplicates, missing keys. */
export function randomCase(seed: number) {
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
