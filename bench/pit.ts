/**
 * `deno task bench pit [--entities N] [--snapshots N] [--people N] [--zipcodes N] [--repeats R]`:
 * the local point-in-time engine end to end from Parquet files (read the entity rows and the two feature sources,
 * join credit_history with ttl 90 days and zipcode_features with ttl 3650 days) against DuckDB's ASOF JOIN on the
 * same files in the same run (after the same tie-breaking on created_timestamp and the ttl bound, so both compute
 * the same answer; checked). Writes bench/results/pit.json: local_s, duckdb_s, ratio (local/duckdb), sizes.
 * @module
 */
import * as arrow from "apache-arrow";
import { DuckDBInstance } from "@duckdb/node-api";
import { entity, featureRepo, featureView, fileSource } from "../lib/feature_store/definitions.ts";
import { getHistoricalFeatures } from "../lib/feature_store/offline/historical.ts";
import { readTable, timestampVector, writeTable } from "../lib/io/mod.ts";
import { intFlag, parseTaskArgs } from "../lib/cli/mod.ts";
import { median, peakRssMb, round, writeResults } from "./harness.ts";
import { seededRandom as rng } from "../lib/numeric/random.ts";
import { CREDIT_FEATURES as CREDIT, ZIPCODE_FEATURES as ZIP } from "../lib/credit/schemas.ts";
import { duckdbAsofSelect } from "./duckdb_anchor.ts";

const DAY = 86_400_000_000;
const START = Date.UTC(2020, 0, 1) * 1000;

/** A Utf8 vector built from raw bytes (fast for millions of short strings). */
function utf8(n: number, at: (i: number) => string): arrow.Vector {
  const enc = new TextEncoder();
  const offsets = new Int32Array(n + 1);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const b = enc.encode(at(i));
    parts.push(b);
    total += b.length;
    offsets[i + 1] = total;
  }
  const bytes = new Uint8Array(total);
  let p = 0;
  for (const b of parts) {
    bytes.set(b, p);
    p += b.length;
  }
  return arrow.makeVector(arrow.makeData({ type: new arrow.Utf8(), length: n, valueOffsets: offsets, data: bytes }));
}

function dobSsn(i: number): string {
  const d = new Date(Date.UTC(1950, 0, 1) + Math.floor(i / 10000) * 86_400_000 * 97);
  const ymd = d.toISOString().slice(0, 10).replaceAll("-", "");
  return `${ymd}_${String(i % 10000).padStart(4, "0")}`;
}

function micros(values: Float64Array): arrow.Vector {
  return timestampVector(BigInt64Array.from(values, (v) => BigInt(v)), { timezone: "UTC" });
}

function int64(n: number, at: (i: number) => number): arrow.Vector {
  const a = new BigInt64Array(n);
  for (let i = 0; i < n; i++) a[i] = BigInt(at(i));
  return arrow.makeVector(a);
}

async function writeData(
  dir: string,
  sizes: { entities: number; snapshots: number; people: number; zipcodes: number },
) {
  const r = rng(2026);
  const { entities: n, snapshots: m, people, zipcodes } = sizes;
  // credit snapshots: spread over two years, with ~2% late corrections (same event time, later created time)
  const cPerson = new Int32Array(m);
  const cEvent = new Float64Array(m);
  const cCreated = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    if (k > 0 && r() < 0.02) {
      cPerson[k] = cPerson[k - 1];
      cEvent[k] = cEvent[k - 1];
      cCreated[k] = cCreated[k - 1] + 1_000_000;
      continue;
    }
    cPerson[k] = k < people ? k : Math.floor(r() * people);
    cEvent[k] = START + Math.floor(r() * 730 * DAY);
    cCreated[k] = cEvent[k] + Math.floor(r() * 2 * DAY);
  }
  const credit = new arrow.Table({
    dob_ssn: utf8(m, (k) => dobSsn(cPerson[k])),
    credit_card_due: int64(m, () => Math.floor(r() * 20000)),
    mortgage_due: int64(m, () => Math.floor(r() * 2e6)),
    student_loan_due: int64(m, () => Math.floor(r() * 50000)),
    vehicle_loan_due: int64(m, () => Math.floor(r() * 40000)),
    hard_pulls: int64(m, () => Math.floor(r() * 10)),
    missed_payments_2y: int64(m, () => Math.floor(r() * 6)),
    missed_payments_1y: int64(m, () => Math.floor(r() * 4)),
    missed_payments_6m: int64(m, () => Math.floor(r() * 2)),
    bankruptcies: int64(m, () => (r() < 0.03 ? 1 : 0)),
    event_timestamp: micros(cEvent),
    created_timestamp: micros(cCreated),
  });
  await writeTable(`${dir}/credit_history.parquet`, credit);
  const zts = new Float64Array(zipcodes).fill(Date.UTC(2017, 0, 1, 12) * 1000);
  const zips = new arrow.Table({
    zipcode: int64(zipcodes, (i) => 1000 + i * 3),
    city: utf8(zipcodes, (i) => `CITY ${i}`),
    state: utf8(zipcodes, (i) => ["CA", "TX", "NY", "FL", "WA"][i % 5]),
    location_type: utf8(zipcodes, () => "PRIMARY"),
    tax_returns_filed: int64(zipcodes, () => Math.floor(r() * 30000)),
    population: int64(zipcodes, () => Math.floor(r() * 60000)),
    total_wages: int64(zipcodes, () => Math.floor(r() * 2e9)),
    event_timestamp: micros(zts),
    created_timestamp: micros(zts),
  });
  await writeTable(`${dir}/zipcode_table.parquet`, zips);
  const ePerson = Int32Array.from({ length: n }, () => Math.floor(r() * people));
  const eTs = Float64Array.from({ length: n }, () => START + 365 * DAY + Math.floor(r() * 365 * DAY));
  const loans = new arrow.Table({
    loan_id: int64(n, (i) => 10000 + i),
    dob_ssn: utf8(n, (i) => dobSsn(ePerson[i])),
    zipcode: int64(n, () => 1000 + Math.floor(r() * zipcodes * 1.01) * 3), // ~1% unknown zipcodes
    loan_amnt: int64(n, () => 500 + Math.floor(r() * 35000)),
    event_timestamp: micros(eTs),
  });
  await writeTable(`${dir}/loan_table.parquet`, loans);
}

function repoFor(dir: string) {
  const person = entity({ name: "dob_ssn", valueType: "string" });
  const zipcode = entity({ name: "zipcode", valueType: "int64" });
  const credit = featureView({
    name: "credit_history",
    entities: [person],
    ttl: "90d",
    schema: CREDIT.map((name) => ({ name, dtype: "int64" as const })),
    source: fileSource({
      name: "credit_history",
      path: `${dir}/credit_history.parquet`,
      timestampField: "event_timestamp",
      createdTimestampColumn: "created_timestamp",
    }),
  });
  const zips = featureView({
    name: "zipcode_features",
    entities: [zipcode],
    ttl: "3650d",
    schema: ZIP.map((name) => ({
      name,
      dtype: name === "city" || name === "state" || name === "location_type" ? "string" as const : "int64" as const,
    })),
    source: fileSource({
      name: "zipcode_table",
      path: `${dir}/zipcode_table.parquet`,
      timestampField: "event_timestamp",
      createdTimestampColumn: "created_timestamp",
    }),
  });
  return featureRepo({ entities: [person, zipcode], views: [credit, zips] });
}

function checksum(table: arrow.Table): Record<string, number> {
  const out: Record<string, number> = { rows: table.numRows };
  for (const f of ["credit_card_due", "missed_payments_6m", "population"]) {
    let sum = 0, nonNull = 0;
    for (const v of table.getChild(f)!) {
      if (v !== null) {
        sum += Number(v);
        nonNull++;
      }
    }
    out[`${f}_sum`] = sum;
    out[`${f}_count`] = nonNull;
  }
  return out;
}

/** Entry point (see the module doc). */
export async function main(args: string[]): Promise<void> {
  const { values } = parseTaskArgs(args, {
    usage: "deno task bench pit [--entities N] [--snapshots N] [--people N] [--zipcodes N] [--repeats R]",
    options: {
      entities: { type: "string" },
      snapshots: { type: "string" },
      people: { type: "string" },
      zipcodes: { type: "string" },
      repeats: { type: "string" },
    },
  });
  const sizes = {
    entities: intFlag(values, "entities", { min: 1, fallback: 1_000_000 }),
    snapshots: intFlag(values, "snapshots", { min: 1, fallback: 5_000_000 }),
    people: intFlag(values, "people", { min: 1, fallback: 1_000_000 }),
    zipcodes: intFlag(values, "zipcodes", { min: 1, fallback: 30_000 }),
  };
  const repeats = intFlag(values, "repeats", { min: 1, fallback: 3 });
  const dir = new URL("./.data/pit", import.meta.url).pathname;
  await Deno.mkdir(dir, { recursive: true });
  const stamp = `${dir}/sizes.json`;
  const existing = await Deno.readTextFile(stamp).catch(() => "");
  if (existing !== JSON.stringify(sizes)) {
    console.log(`Writing bench data ${JSON.stringify(sizes)} to ${dir} ...`);
    await writeData(dir, sizes);
    await Deno.writeTextFile(stamp, JSON.stringify(sizes));
  }
  const repo = repoFor(dir);
  const features = [...CREDIT.map((f) => `credit_history:${f}`), ...ZIP.map((f) => `zipcode_features:${f}`)];
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  // alternate the two engines so that noise from other processes falls on both alike
  const localRuns: number[] = [], duckRuns: number[] = [];
  let localSum: Record<string, number> = {};
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now();
    // as FeatureStore does for a file of entity rows: the engine reads it while its sources decode
    const entities = () => readTable(`${dir}/loan_table.parquet`);
    const result = await getHistoricalFeatures(repo, { entities, features });
    localRuns.push((performance.now() - t0) / 1000);
    if (k === 0) localSum = checksum(result);
    const t1 = performance.now();
    await conn.run(`CREATE OR REPLACE TEMP TABLE result AS ${duckdbAsofSelect(dir)}`);
    duckRuns.push((performance.now() - t1) / 1000);
  }
  const localPeak = peakRssMb();
  const local = { runs: localRuns, median: median(localRuns) };
  const duck = { runs: duckRuns, median: median(duckRuns) };
  const duckRows = (await conn.runAndReadAll(
    `SELECT count(*) AS rows, sum(credit_card_due) AS credit_card_due_sum, count(credit_card_due) AS credit_card_due_count,
            sum(missed_payments_6m) AS missed_payments_6m_sum, count(missed_payments_6m) AS missed_payments_6m_count,
            sum(population) AS population_sum, count(population) AS population_count FROM result`,
  )).getRowObjects()[0];
  const duckSum = Object.fromEntries(Object.entries(duckRows).map(([k, v]) => [k, Number(v)]));
  conn.closeSync();
  const agree = JSON.stringify(localSum) === JSON.stringify(duckSum);
  const figures = {
    local_s: round(local.median),
    duckdb_s: round(duck.median),
    ratio: round(local.median / duck.median),
    local_runs_s: local.runs.map((x) => round(x)),
    duckdb_runs_s: duck.runs.map((x) => round(x)),
    peak_rss_mb: round(localPeak, 0),
    sizes: {
      entity_rows: sizes.entities,
      credit_snapshots: sizes.snapshots,
      people: sizes.people,
      zipcodes: sizes.zipcodes,
    },
    answers_agree: agree,
    checksums: { local: localSum, duckdb: duckSum },
  };
  const path = await writeResults("pit", figures);
  console.log(
    `local ${figures.local_s} s (median of ${repeats}), DuckDB ASOF ${figures.duckdb_s} s, ratio ${figures.ratio}; ` +
      `answers ${agree ? "agree" : "DIFFER"}; peak RSS (both engines) ${figures.peak_rss_mb} MB -> ${path}`,
  );
  if (!agree) console.log(JSON.stringify(figures.checksums));
}
