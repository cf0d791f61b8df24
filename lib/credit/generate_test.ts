import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertGreater,
  assertLess,
  assertNotEquals,
  assertThrows,
} from "@std/assert";
import * as arrow from "apache-arrow";
import { fitLogistic, readParquetFile } from "./fit_profile.ts";
import {
  ageAt,
  allocate,
  civilDate,
  createGenerator,
  CREDIT_TTL_US,
  DOWNTURN_SHIFT,
  type GenerateOptions,
  parseDobSsn,
  pickShare,
} from "./generate.ts";
import { CREDIT_HISTORY_SCHEMA, LOAN_SCHEMA, ZIPCODE_SCHEMA } from "./schemas.ts";

const REAL_DIR = new URL("../../../shared/data/feast-credit/", import.meta.url).pathname;
const hasRealData = await Deno.stat(REAL_DIR).then(() => true, () => false);
if (!hasRealData) console.warn(`Real data not found at "${REAL_DIR}": schemas are compared with constants only`);

interface Tables {
  loans: arrow.Table;
  credit: arrow.Table;
  zipcodes: arrow.Table;
}

function generateTables(opts: GenerateOptions): Tables {
  const gen = createGenerator(opts);
  return {
    loans: new arrow.Table([...gen.loanBatches()]),
    credit: new arrow.Table([...gen.creditHistoryBatches()]),
    zipcodes: new arrow.Table([...gen.zipcodeBatches()]),
  };
}

/** Raw column values (timestamps as exact microsecond numbers, Int64 as numbers, nulls kept). */
function values(table: arrow.Table, name: string): (number | string | null)[] {
  const column = table.getChild(name)!;
  if (arrow.DataType.isTimestamp(column.type)) {
    return column.data.flatMap((d) =>
      Array.from((d.values as BigInt64Array).subarray(d.offset, d.offset + d.length), Number)
    );
  }
  return Array.from(column, (v) => (typeof v === "bigint" ? Number(v) : v as number | string | null));
}

function numbers(table: arrow.Table, name: string): number[] {
  return values(table, name) as number[];
}

function describe(schema: arrow.Schema): string[] {
  return schema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`);
}

const BASE: GenerateOptions = { seed: 7, loans: 4000, zipcodes: 3000 };
const tables = generateTables(BASE);

Deno.test("generated schemas are exactly the real files' schemas", async () => {
  assertEquals(describe(tables.loans.schema), describe(LOAN_SCHEMA));
  assertEquals(describe(tables.credit.schema), describe(CREDIT_HISTORY_SCHEMA));
  assertEquals(describe(tables.zipcodes.schema), describe(ZIPCODE_SCHEMA));
  if (!hasRealData) return;
  assertEquals(describe(LOAN_SCHEMA), describe((await readParquetFile(`${REAL_DIR}loan_table.parquet`)).schema));
  assertEquals(describe(ZIPCODE_SCHEMA), describe((await readParquetFile(`${REAL_DIR}zipcode_table.parquet`)).schema));
  const csvHeader = (await Deno.readTextFile(`${REAL_DIR}credit_history_sample.csv`)).split("\n")[0].split(",");
  assertEquals(CREDIT_HISTORY_SCHEMA.fields.map((f) => f.name).sort(), csvHeader.sort());
});

Deno.test("the same seed gives the same data whatever the batch size; another seed differs", () => {
  const small = generateTables({ ...BASE, loans: 1500, batchSize: 333 });
  const large = generateTables({ ...BASE, loans: 1500, batchSize: 100_000 });
  const other = generateTables({ ...BASE, loans: 1500, seed: 8 });
  assertGreater(small.loans.batches.length, 1);
  assertEquals(small.loans.batches.every((b, i, all) => b.numRows === 333 || i === all.length - 1), true);
  for (const key of ["loans", "credit", "zipcodes"] as const) {
    assertEquals(small[key].numRows, large[key].numRows);
    for (const f of small[key].schema.fields) {
      assertEquals(values(small[key], f.name), values(large[key], f.name), `${key}.${f.name}`);
    }
  }
  assertNotEquals(values(small.loans, "dob_ssn"), values(other.loans, "dob_ssn"));
  assertNotEquals(values(small.credit, "credit_card_due"), values(other.credit, "credit_card_due"));
});

Deno.test("loans: exact row count, ids from 10000, window, microseconds, categories", () => {
  const { loans } = tables;
  assertEquals(loans.numRows, 4000);
  const ids = numbers(loans, "loan_id");
  assertEquals(ids[0], 10_000);
  assertEquals(new Set(ids).size, ids.length);
  const ts = numbers(loans, "event_timestamp");
  const start = Date.UTC(2020, 7, 25) * 1000, end = Date.UTC(2021, 7, 26) * 1000;
  assert(ts.every((t) => t >= start && t < end));
  assertGreater(ts.filter((t) => t % 1000 !== 0).length, ts.length * 0.9);
  assertEquals(numbers(loans, "created_timestamp"), ts);
  assertEquals(new Set(values(loans, "person_home_ownership")), new Set(["RENT", "MORTGAGE", "OWN", "OTHER"]));
  assertEquals(new Set(values(loans, "loan_intent")).size, 6);
  for (const f of LOAN_SCHEMA.fields) assertEquals(loans.getChild(f.name)!.nullCount, 0, f.name);
});

Deno.test("dob_ssn is well formed, unique per person and consistent with person_age at every loan", () => {
  const { loans } = tables;
  const dobSsn = values(loans, "dob_ssn") as string[];
  const ages = numbers(loans, "person_age");
  const ts = numbers(loans, "event_timestamp");
  const income = numbers(loans, "person_income");
  const seen = new Map<string, number>();
  for (let i = 0; i < loans.numRows; i++) {
    assertEquals(ageAt(parseDobSsn(dobSsn[i]), ts[i]), ages[i], `loan ${i}`);
    const previous = seen.get(dobSsn[i]);
    if (previous !== undefined) assertEquals(income[previous], income[i], `income of ${dobSsn[i]}`);
    seen.set(dobSsn[i], i);
  }
  const people = seen.size;
  assertLess(people, loans.numRows);
  assertGreater(people, loans.numRows * 0.8);
  assert(ages.every((a) => a >= 18 && a <= 95));
});

Deno.test("zipcodes: requested count, real timestamp, corrections, loans reference them (a very few do not)", () => {
  const { zipcodes, loans } = tables;
  const codes = numbers(zipcodes, "zipcode");
  const distinct = new Set(codes);
  assertEquals(distinct.size, 3000);
  const created = numbers(zipcodes, "created_timestamp");
  const events = numbers(zipcodes, "event_timestamp");
  const base = Date.UTC(2017, 0, 1, 12) * 1000;
  assertEquals(events.slice(0, 3000).every((t) => t === base), true);
  const corrections = codes.length - 3000;
  assertGreater(corrections, 5);
  assertGreater(events.filter((t) => t > base).length, 0);
  assertGreater(created.filter((c, i) => events[i] === base && c > base).length, 0);
  const loanZips = numbers(loans, "zipcode");
  const unknown = loanZips.filter((z) => !distinct.has(z)).length;
  assertLess(unknown, loans.numRows * 0.01);
  assertGreater(new Set(values(zipcodes, "state")).size, 40);
});

interface Snapshot {
  event: number;
  created: number;
  missed6m: number | null;
  missed1y: number | null;
  bankruptcies: number | null;
}

function snapshotsByPerson(credit: arrow.Table): Map<string, Snapshot[]> {
  const dob = values(credit, "dob_ssn") as string[];
  const ev = numbers(credit, "event_timestamp"), cr = numbers(credit, "created_timestamp");
  const m6 = values(credit, "missed_payments_6m") as (number | null)[];
  const m1 = values(credit, "missed_payments_1y") as (number | null)[];
  const bk = values(credit, "bankruptcies") as (number | null)[];
  const out = new Map<string, Snapshot[]>();
  for (let i = 0; i < dob.length; i++) {
    const list = out.get(dob[i]) ?? [];
    list.push({ event: ev[i], created: cr[i], missed6m: m6[i], missed1y: m1[i], bankruptcies: bk[i] });
    out.set(dob[i], list);
  }
  return out;
}

/** Feast's point-in-time rule: event in [ts - ttl, ts], latest event, ties to the latest created. */
function pointInTime(list: Snapshot[] | undefined, ts: number): Snapshot | undefined {
  let best: Snapshot | undefined;
  for (const s of list ?? []) {
    if (s.event > ts || s.event < ts - CREDIT_TTL_US) continue;
    if (!best || s.event > best.event || (s.event === best.event && s.created > best.created)) best = s;
  }
  return best;
}

Deno.test("credit history has several snapshots per person and every dirty corner", () => {
  const { credit, loans } = tables;
  const byPerson = snapshotsByPerson(credit);
  const perPerson = credit.numRows / byPerson.size;
  assertGreater(perPerson, 3);
  assertLess(perPerson, 6);
  const creditEvents = numbers(credit, "event_timestamp");
  const creditCreated = numbers(credit, "created_timestamp");
  const keys = (values(credit, "dob_ssn") as string[]).map((d, i) => `${d}|${creditEvents[i]}`);
  const full = keys.map((k, i) => `${k}|${creditCreated[i]}`);
  const lateCorrections = keys.length - new Set(keys).size - (full.length - new Set(full).size);
  const exactDuplicates = full.length - new Set(full).size;
  assertGreater(lateCorrections, 10);
  assertGreater(exactDuplicates, 0);
  const nulls = CREDIT_HISTORY_SCHEMA.fields.reduce((s, f) => s + credit.getChild(f.name)!.nullCount, 0);
  assertGreater(nulls, 10);
  assertLess(nulls, credit.numRows * 0.02);
  const loanPeople = new Set(values(loans, "dob_ssn") as string[]);
  const withoutHistory = [...loanPeople].filter((d) => !byPerson.has(d)).length;
  assertGreater(withoutHistory, loanPeople.size * 0.01);
  assertLess(withoutHistory, loanPeople.size * 0.06);
  const ev = numbers(credit, "event_timestamp");
  const sharedTimestamps = ev.length - new Set(ev).size;
  assertGreater(sharedTimestamps, ev.length * 0.5);
  const ts = numbers(loans, "event_timestamp");
  const dob = values(loans, "dob_ssn") as string[];
  const noneInForce = ts.filter((t, i) => byPerson.has(dob[i]) && !pointInTime(byPerson.get(dob[i]), t)).length;
  assertGreater(noneInForce, loans.numRows * 0.02);
  assertLess(noneInForce, loans.numRows * 0.2);
  const exactlyAtLoan = ts.filter((t, i) => byPerson.get(dob[i])?.some((s) => s.event === t)).length;
  assertGreater(exactlyAtLoan, 0);
});

Deno.test("the default rate is near the real 21.7% and default depends on the point-in-time credit snapshot", () => {
  const big = generateTables({ seed: 3, loans: 20_000, zipcodes: 5000 });
  const status = numbers(big.loans, "loan_status");
  const rate = status.reduce((a, b) => a + b, 0) / status.length;
  assert(rate > 0.195 && rate < 0.24, `default rate ${rate}`);
  const byPerson = snapshotsByPerson(big.credit);
  const ts = numbers(big.loans, "event_timestamp");
  const dob = values(big.loans, "dob_ssn") as string[];
  const groups = { pit: [[0, 0], [0, 0]], future: [[0, 0], [0, 0]] };
  for (let i = 0; i < ts.length; i++) {
    const list = byPerson.get(dob[i]);
    const now = pointInTime(list, ts[i]);
    if (now && now.missed6m !== null) {
      const g = groups.pit[now.missed6m > 0 ? 1 : 0];
      g[0]++, g[1] += status[i];
    }
    const later = pointInTime(list, ts[i] + 200 * 86_400_000_000);
    if (later && later.event > ts[i] && later.missed6m !== null) {
      const g = groups.future[later.missed6m > 0 ? 1 : 0];
      g[0]++, g[1] += status[i];
    }
  }
  const ratio = (g: number[][]) => (g[1][1] / g[1][0]) / (g[0][1] / g[0][0]);
  assertGreater(ratio(groups.pit), 1.5, "default rate ratio with missed_payments_6m > 0 in force");
  assertGreater(groups.pit[1][0], 1000);
  assertGreater(ratio(groups.future), ratio(groups.pit), "a future snapshot leaks the outcome");
  // A logistic model with the point-in-time credit features ranks defaults better than one without them.
  const intRate = numbers(big.loans, "loan_int_rate"), amount = numbers(big.loans, "loan_amnt");
  const income = numbers(big.loans, "person_income");
  const rent = (values(big.loans, "person_home_ownership") as string[]).map((h) => (h === "RENT" ? 1 : 0));
  const loanOnly = ts.map((_, i) => [1, intRate[i], amount[i] / income[i], Math.log(income[i]), rent[i]]);
  const withCredit = loanOnly.map((x, i) => {
    const s = pointInTime(byPerson.get(dob[i]), ts[i]);
    return [...x, s?.missed6m ?? 0, s?.missed1y ?? 0, s?.bankruptcies ?? 0, s ? 0 : 1];
  });
  const half = ts.length / 2;
  const aucOf = (rows: number[][]) => {
    const x = rows.map((r) => Float64Array.from(r));
    const beta = fitLogistic(x.slice(0, half), status.slice(0, half), { ridge: 1 });
    const scored = x.slice(half).map((r, i) => [r.reduce((a, v, k) => a + v * beta[k], 0), status[half + i]]);
    scored.sort((a, b) => a[0] - b[0]);
    let positives = 0, rankSum = 0;
    scored.forEach(([, y], r) => y === 1 && (positives++, rankSum += r + 1));
    return (rankSum - positives * (positives + 1) / 2) / (positives * (scored.length - positives));
  };
  const [aucLoan, aucCredit] = [aucOf(loanOnly), aucOf(withCredit)];
  assertGreater(aucLoan, 0.7);
  assertGreater(aucCredit, aucLoan + 0.03, `AUC ${aucCredit} with credit vs ${aucLoan} without`);
});

Deno.test("small helpers", () => {
  assertEquals(allocate([5, 0, 5], 3, 100).reduce((a, b) => a + b), 3);
  assertEquals(allocate([1, 100], 150, 100), [50, 100]);
  assertThrows(() => allocate([1], 101, 100), RangeError, '"101"');
  assertEquals(pickShare([0, 1], 0), 1);
  assertEquals(civilDate(Date.UTC(2020, 1, 29) * 1000), { year: 2020, month: 2, day: 29 });
  assertThrows(() => parseDobSsn("1953-02-19"), TypeError, '"1953-02-19"');
  assertThrows(() => createGenerator({ loans: -1 }), RangeError, '"-1"');
  assertThrows(() => createGenerator({ zipcodes: 10_000_000 }), RangeError, '"10000000"');
});

Deno.test("more people than loans leaves some people with credit history only", () => {
  const t = generateTables({ seed: 1, loans: 300, people: 600, zipcodes: 200 });
  assertEquals(t.loans.numRows, 300);
  const borrowers = new Set(values(t.loans, "dob_ssn"));
  assertEquals(borrowers.size, 300);
  const inHistory = new Set(values(t.credit, "dob_ssn"));
  assertGreater(inHistory.size, 500);
});

Deno.test("a later period: new people, its own window and loan ids, the same zipcodes; seeded", () => {
  const period = { start: "2021-09-01T00:00:00Z", end: "2021-12-31T00:00:00Z" };
  const later = generateTables({ ...BASE, loans: 2000, period });
  assertEquals(later.loans.numRows, 2000);
  assertEquals(numbers(later.loans, "loan_id")[0], 1_010_000);
  const ts = numbers(later.loans, "event_timestamp");
  assert(ts.every((t) => t >= Date.UTC(2021, 8, 1) * 1000 && t <= Date.UTC(2021, 11, 31) * 1000));
  const base = new Set(values(tables.loans, "dob_ssn"));
  const people = new Set(values(later.loans, "dob_ssn"));
  assertEquals([...people].filter((d) => base.has(d)), [], "no later applicant has a base applicant's dob_ssn");
  assertEquals(values(later.zipcodes, "zipcode"), values(tables.zipcodes, "zipcode"));
  // credit history covers the new people (~3% have none, as in the base period)
  const history = new Set(values(later.credit, "dob_ssn"));
  assertGreater([...people].filter((d) => history.has(d)).length, people.size * 0.94);
  // without shifts the default rate is the base period's
  const rate = numbers(later.loans, "loan_status").reduce((a, b) => a + b, 0) / 2000;
  assert(rate > 0.18 && rate < 0.26, `default rate ${rate}`);
  const again = generateTables({ ...BASE, loans: 2000, period, batchSize: 500 });
  assertEquals(values(again.loans, "person_income"), values(later.loans, "person_income"));
  const other = generateTables({ ...BASE, loans: 2000, period: { ...period, index: 2, firstLoanId: 5 } });
  assertEquals(numbers(other.loans, "loan_id")[0], 5);
  assertNotEquals(values(other.loans, "dob_ssn"), values(later.loans, "dob_ssn"));
});

Deno.test("a downturn period: incomes down, rates up, more defaults, mortgage holders hit hardest", () => {
  const period = { start: "2021-09-01T00:00:00Z", end: "2021-12-31T00:00:00Z" };
  const calm = generateTables({ seed: 5, loans: 8000, zipcodes: 2000, period });
  const down = generateTables({ seed: 5, loans: 8000, zipcodes: 2000, period: { ...period, shift: DOWNTURN_SHIFT } });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ratio = mean(numbers(down.loans, "person_income")) / mean(numbers(calm.loans, "person_income"));
  assertAlmostEquals(ratio, 0.85, 0.03);
  assertAlmostEquals(mean(numbers(down.loans, "loan_int_rate")) - mean(numbers(calm.loans, "loan_int_rate")), 2, 0.15);
  const rateOf = (t: Tables, keep: (home: string) => boolean) => {
    const home = values(t.loans, "person_home_ownership") as string[], status = numbers(t.loans, "loan_status");
    return mean(home.flatMap((h, i) => (keep(h) ? [status[i]] : [])));
  };
  const all = () => true, mortgage = (h: string) => h === "MORTGAGE", rent = (h: string) => h === "RENT";
  assertGreater(rateOf(down, all), rateOf(calm, all) + 0.1, "more defaults");
  // in the base period mortgage holders default less than renters; in the downturn more
  assertLess(rateOf(calm, mortgage), rateOf(calm, rent) - 0.1);
  assertGreater(rateOf(down, mortgage), rateOf(down, rent) + 0.05);
});

Deno.test("later period options are checked and named", () => {
  const period = { start: "2021-09-01", end: "2021-12-31" };
  assertThrows(() => createGenerator({ loans: 10, period: { ...period, index: 10 } }), RangeError, `index "10"`);
  assertThrows(() => createGenerator({ loans: 10, period: { ...period, end: "2021-08-01" } }), RangeError, "after");
  assertThrows(() => createGenerator({ loans: 10, period: { ...period, start: "soon" } }), RangeError, `"soon"`);
  assertThrows(
    () => createGenerator({ loans: 10, period: { ...period, shift: { incomeFactor: 0 } } }),
    RangeError,
    `incomeFactor "0"`,
  );
});
