import * as arrow from "apache-arrow";
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { computeDrift, driftColumnsDataFrame, type DriftReport } from "./drift.ts";
import { toDataFrame } from "../io/dataframe.ts";
import { profileFromJson, profileToJson } from "./profile.ts";
import { seededRandom as rng } from "../numeric/random.ts";
import { timestampVector } from "../io/mod.ts";

function normal(r: () => number, n: number, mean = 0, sd = 1): Float64Array {
  return Float64Array.from({ length: n }, () => (r() + r() + r() + r() - 2) * sd * Math.sqrt(3) + mean);
}

function pick<T>(r: () => number, n: number, values: T[], weights: number[]): T[] {
  const total = weights.reduce((a, b) => a + b, 0);
  return Array.from({ length: n }, () => {
    let u = r() * total;
    for (let i = 0; i < values.length; i++) if ((u -= weights[i]) < 0) return values[i];
    return values[values.length - 1];
  });
}

type Col = arrow.Vector | Float64Array | Int32Array;

/** An Arrow table from vectors and typed arrays. */
function table(cols: Record<string, Col>): arrow.Table {
  const vectors: Record<string, arrow.Vector> = {};
  for (const [k, v] of Object.entries(cols)) vectors[k] = v instanceof arrow.Vector ? v : arrow.makeVector(v);
  return new arrow.Table(vectors);
}

function col(report: DriftReport, name: string) {
  const c = report.columns.find((x) => x.column === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

function strip(report: DriftReport): unknown {
  return { ...report, generated_at: "", timings: {} };
}

Deno.test("computeDrift picks Evidently's defaults by kind and reference size", async () => {
  const r = rng(1);
  const small = (n: number, shift: number) =>
    table({
      amount: normal(r, n, 100 + shift, 10),
      few: Int32Array.from({ length: n }, () => Math.floor(r() * 4)), // 4 distinct integers: categorical
      intent: arrow.vectorFromArray(pick(r, n, ["EDU", "MED", "VENTURE"], [1, 1, 1])),
      owner: arrow.vectorFromArray(pick(r, n, ["RENT", "OWN"], [1, 1]), new arrow.Utf8()),
    });
  const s = (await computeDrift(small(800, 0), small(500, 0), { workers: 0 })).report;
  assertEquals(col(s, "amount").test, "ks");
  assertEquals(col(s, "few").kind, "categorical");
  assertEquals(col(s, "few").test, "chisquare");
  assertEquals(col(s, "intent").test, "chisquare");
  assertEquals(col(s, "owner").test, "z");
  for (const c of s.columns) assertEquals(c.score_kind, "p_value");
  const big = (await computeDrift(small(3000, 0), small(2000, 0), { workers: 0 })).report;
  assertEquals(col(big, "amount").test, "wasserstein");
  assertEquals(col(big, "amount").threshold, 0.1);
  assertEquals(col(big, "intent").test, "jensenshannon");
  assertEquals(col(big, "owner").test, "jensenshannon");
  assertEquals(col(big, "few").test, "jensenshannon");
  assertEquals(big.dataset_drift, false);
});

Deno.test("computeDrift finds shifted columns, sorts them first, and applies the drift share", async () => {
  const r = rng(2);
  const make = (n: number, shifted: number) => {
    const cols: Record<string, Float64Array> = {};
    for (let i = 0; i < 6; i++) cols[`f${i}`] = normal(r, n, i < shifted ? 1 : 0, 1);
    return arrow.tableFromArrays(cols);
  };
  const ref = make(5000, 0), cur = make(4000, 3);
  const { report } = await computeDrift(ref, cur, { workers: 0 });
  assertEquals(report.n_columns, 6);
  assertEquals(report.n_drifted, 3);
  assertEquals(report.summary, "drift in 3 of 6 columns");
  assertEquals(report.columns.slice(0, 3).map((c) => c.column).sort(), ["f0", "f1", "f2"]);
  assert(report.columns.slice(0, 3).every((c) => c.drifted && c.score! > 0.5));
  assertEquals(report.drift_share, 0.5);
  assertEquals(report.dataset_drift, true, "3 of 6 reaches the default share of 0.5");
  const stricter = (await computeDrift(ref, cur, { workers: 0, driftShare: 0.6 })).report;
  assertEquals(stricter.dataset_drift, false);
  assertEquals(stricter.drift_share_threshold, 0.6);
  for (const c of report.columns) {
    assert(c.psi !== null && c.psi >= 0);
    assertEquals(c.histogram!.reference.length, 20);
    assertAlmostEquals(c.histogram!.reference.reduce((a, b) => a + b, 0), 1, 1e-4);
  }
});

Deno.test("workers and in-process give the same report", async () => {
  const r = rng(3);
  const t = (n: number, s: number) =>
    arrow.tableFromArrays({
      a: normal(r, n, s, 2),
      b: Float64Array.from({ length: n }, () => Math.round(r() * 50)),
      c: Int32Array.from({ length: n }, () => Math.floor(r() * 3)),
    });
  const ref = t(30_000, 0), cur = t(20_000, 0.1);
  const inline = (await computeDrift(ref, cur, { workers: 0 })).report;
  const workers = (await computeDrift(ref, cur, { workers: 2 })).report;
  assertEquals(strip(workers), strip(inline));
});

Deno.test("empty, all-null and constant columns are reported, not crashed on", async () => {
  const n = 50;
  const ref = table({
    nulls: arrow.vectorFromArray(Array.from({ length: n }, () => null), new arrow.Float64()),
    constant: Int32Array.from({ length: n }, () => 7),
    label: arrow.vectorFromArray(Array.from({ length: n }, () => "same")),
    fine: Float64Array.from({ length: n }, (_, i) => i),
  });
  const cur = table({
    nulls: arrow.vectorFromArray(Array.from({ length: n }, () => null), new arrow.Float64()),
    constant: Int32Array.from({ length: n }, (_, i) => (i % 2 ? 7 : 8)),
    label: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 5 ? "same" : null))),
    fine: Float64Array.from({ length: n }, (_, i) => (i % 3 ? i : NaN)),
  });
  const { report } = await computeDrift(ref, cur, { workers: 0 });
  const nulls = col(report, "nulls");
  assertEquals([nulls.score, nulls.drifted], [null, false]);
  assert(nulls.note!.includes("all values missing in reference data"));
  assertEquals(nulls.missing_share_current, 1);
  const constant = col(report, "constant");
  assertEquals(constant.kind, "categorical");
  assertEquals(constant.test, "z");
  assertEquals(constant.drifted, true);
  assertEquals(constant.new_categories, ["8"]);
  assert(constant.note!.includes("constant in reference"));
  assertEquals(col(report, "label").missing_share_current, 0.2);
  assertEquals(col(report, "label").score, 1);
  assertAlmostEquals(col(report, "fine").missing_share_current, 17 / 50, 1e-12);
  assertEquals(report.columns.at(-1)!.column, "nulls", "untested columns sort last");

  const empty = table({ fine: new Float64Array(0), label: arrow.vectorFromArray([] as string[], new arrow.Utf8()) });
  // empty current data cannot be compared: an error, never "no drift"
  await assertRejects(() => computeDrift(ref, empty, { workers: 0 }), Error, "The current data has no rows");
});

Deno.test("new categories, overrides, thresholds, skipped columns and bad options", async () => {
  const r = rng(4);
  const n = 2000;
  const ts = (k: number) => timestampVector(BigInt64Array.from({ length: k }, (_, i) => BigInt(i) * 1_000_000n));
  const ref = new arrow.Table({
    intent: arrow.vectorFromArray(pick(r, n, ["EDU", "MED"], [1, 1])),
    amount: arrow.vectorFromArray(normal(r, n, 10, 1)),
    when: ts(n),
    code: arrow.vectorFromArray(Float64Array.from({ length: n }, () => r())),
  });
  const cur = new arrow.Table({
    intent: arrow.vectorFromArray(pick(r, n, ["EDU", "MED", "CRYPTO"], [1, 1, 1])),
    amount: arrow.vectorFromArray(normal(r, n, 10, 1)),
    when: ts(n),
    code: arrow.vectorFromArray(Array.from({ length: n }, () => "x")),
  });
  const { report } = await computeDrift(ref, cur, {
    workers: 0,
    tests: { amount: "psi" },
    thresholds: { intent: 0.5 },
  });
  const intent = col(report, "intent");
  assertEquals(intent.new_categories, ["CRYPTO"]);
  assertEquals(intent.threshold, 0.5);
  assertEquals(col(report, "amount").test, "psi");
  assertEquals(col(report, "amount").score, col(report, "amount").psi);
  assertEquals(report.skipped_columns, [
    { column: "when", reason: "date/time column (not tested)" },
    { column: "code", reason: "type differs: numeric in reference, string in current" },
  ]);
  await assertRejects(() => computeDrift(ref, cur, { columns: ["nope"] }), Error, `Column "nope"`);
  await assertRejects(
    () => computeDrift(ref, cur, { tests: { amount: "magic" } }),
    Error,
    `Unknown drift test "magic"`,
  );
  await assertRejects(
    () => computeDrift(ref, cur, { tests: { intent: "ks" }, workers: 0 }),
    Error,
    `Test "ks" does not apply to categorical column "intent"`,
  );
  await assertRejects(() => computeDrift(ref, cur, { driftShare: 2 }), Error, "Drift share 2");
  const only = (await computeDrift(ref, cur, { columns: ["amount"], exclude: [], workers: 0 })).report;
  assertEquals(only.columns.map((c) => c.column), ["amount"]);
  const excl = (await computeDrift(ref, cur, { exclude: ["intent", "code", "when"], workers: 0 })).report;
  assertEquals(excl.columns.map((c) => c.column), ["amount"]);
});

Deno.test("prediction drift comes with the credit PSI table; target drift with default rates", async () => {
  const r = rng(5);
  const make = (n: number, shift: number, rate: number) =>
    arrow.tableFromArrays({
      x: normal(r, n),
      probability: Float64Array.from({ length: n }, () => Math.min(1, Math.max(0, r() * 0.6 + shift))),
      loan_status: Int32Array.from({ length: n }, () => (r() < rate ? 1 : 0)),
    });
  const { report } = await computeDrift(make(5000, 0, 0.2), make(5000, 0.15, 0.45), {
    predictionColumn: "probability",
    targetColumn: "loan_status",
    workers: 0,
  });
  assertEquals(report.columns.map((c) => c.column), ["x"], "score and label are not features");
  const p = report.prediction_drift!;
  assertEquals(p.column, "probability");
  assertEquals(p.drifted, true);
  assertEquals(p.psi_verdict, "major shift");
  const psi = report.psi!;
  assertEquals(psi.bins.length, 10);
  assertEquals(psi.bins[0].lower, null);
  assertEquals(psi.bins[9].upper, null);
  assertAlmostEquals(psi.bins.reduce((a, b) => a + b.reference_share, 0), 1, 1e-9);
  assertAlmostEquals(psi.bins.reduce((a, b) => a + b.contribution, 0), psi.value, 1e-12);
  for (const b of psi.bins) assertAlmostEquals(b.reference_share, 0.1, 0.01);
  const t = report.target_drift!;
  assertEquals(t.kind, "categorical");
  assertAlmostEquals(t.rate_reference!, 0.2, 0.02);
  assertAlmostEquals(t.rate_current!, 0.45, 0.02);
  assertEquals(t.drifted, true);

  const unlabeled = arrow.tableFromArrays({ x: normal(r, 100), probability: Float64Array.from({ length: 100 }, r) });
  const u = (await computeDrift(make(500, 0, 0.2), unlabeled, {
    predictionColumn: "probability",
    targetColumn: "loan_status",
    workers: 0,
  })).report;
  assertEquals(u.target_drift, null);
  assertEquals(u.skipped_columns, [{ column: "loan_status", reason: "labels not in current data" }]);
});

Deno.test("a saved profile gives the same report as the data for exact columns", async () => {
  const r = rng(6);
  const make = (n: number, s: number) =>
    new arrow.Table({
      age: arrow.vectorFromArray(Int32Array.from({ length: n }, () => 20 + Math.floor(r() * 50 + s))),
      home: arrow.vectorFromArray(pick(r, n, ["RENT", "OWN", "MORTGAGE"], [3, 1, 2])),
      flag: arrow.vectorFromArray(Array.from({ length: n }, () => r() < 0.3)),
    });
  const ref = make(3000, 0), cur = make(2000, 3);
  const direct = await computeDrift(ref, cur, { workers: 0, predictionColumn: undefined });
  const profile = profileFromJson(JSON.parse(JSON.stringify(profileToJson(direct.profile))), "mem");
  for (const c of profile.columns) if (c.type === "numeric") assertEquals(c.approximate, null);
  const fromProfile = (await computeDrift(profile, cur, { workers: 0 })).report;
  assertEquals(fromProfile.reference.profile, true);
  const a = strip(direct.report) as DriftReport, b = strip(fromProfile) as DriftReport;
  assertEquals(b.columns, a.columns);
});

Deno.test("a sketched profile keeps Wasserstein within its stored bound (about 1e-4 of the std)", async () => {
  const r = rng(7);
  const n = 200_000;
  const ref = arrow.tableFromArrays({ income: Float64Array.from({ length: n }, () => Math.exp(10 + (r() + r() - 1))) });
  const cur = arrow.tableFromArrays({
    income: Float64Array.from({ length: n }, () => Math.exp(10.05 + (r() + r() - 1))),
  });
  const exact = await computeDrift(ref, cur, { workers: 0 });
  const json = profileToJson(exact.profile, { maxPoints: 10_000 });
  const text = JSON.stringify(json);
  assert(text.length < 400_000, `profile is ${text.length} bytes`);
  const profile = profileFromJson(JSON.parse(text));
  const pc = profile.columns[0];
  assert(pc.type === "numeric" && pc.approximate !== null);
  const approx = (await computeDrift(profile, cur, { workers: 0 })).report;
  const e = exact.report.columns[0], a = approx.columns[0];
  assertEquals(a.approximate, true);
  assert(a.note!.includes("profile sketch"), a.note!);
  const bound = pc.approximate!.wasserstein / pc.stats.std;
  assert(Math.abs(a.score! - e.score!) <= bound + 1e-12, `|${a.score} - ${e.score}| > ${bound}`);
  assert(bound < 1e-3, `bound ${bound}`);
  assertEquals(a.psi, e.psi, "PSI bins are kept exactly");
  assertEquals(a.drifted, e.drifted);
});

Deno.test("drift share: untested columns stay out of the denominator; nothing comparable is an error, not 'no drift'", async () => {
  const r = rng(11);
  const n = 400;
  // two drifting columns, two stable ones, one all-missing in current (not tested)
  const ref = table({
    a: normal(r, n),
    b: normal(r, n),
    c: normal(r, n),
    d: normal(r, n),
    e: normal(r, n),
  });
  const cur = table({
    a: normal(r, n, 3),
    b: normal(r, n, 3),
    c: normal(r, n),
    d: normal(r, n),
    e: arrow.vectorFromArray(Array(n).fill(null), new arrow.Float64()),
  });
  const { report } = await computeDrift(ref, cur);
  assertEquals([report.n_columns, report.n_tested, report.n_drifted], [5, 4, 2]);
  assertEquals(report.drift_share, 0.5); // 2 of the 4 tested, not 2 of 5
  assertEquals(report.dataset_drift, true);
  assert(report.summary.includes("1 could not be tested"), report.summary);

  // no shared column, only a header, text where the reference has numbers: errors naming why
  await assertRejects(() => computeDrift(ref, table({ z: normal(r, n) })), Error, "No column could be compared");
  await assertRejects(() => computeDrift(ref, table({ a: new Float64Array(0) })), Error, "has no rows");
  const text = new arrow.Table({ a: arrow.vectorFromArray(Array(n).fill("x"), new arrow.Utf8()) });
  await assertRejects(() => computeDrift(table({ a: normal(r, n) }), text), Error, "type differs");
});

Deno.test("few distinct values: integers are categorical (counted over both sides), floats stay numerical", async () => {
  const r = rng(12);
  const n = 300;
  const ints = (k: number) => Int32Array.from({ length: n }, () => Math.floor(r() * k));
  const floats = (k: number) => Float64Array.from({ length: n }, () => Math.floor(r() * k) + 0.5);
  const { report } = await computeDrift(
    table({ i: ints(4), f: floats(4), j: ints(4) }),
    table({ i: ints(4), f: floats(4), j: ints(8) }),
  );
  assertEquals(col(report, "i").kind, "categorical");
  assertEquals(col(report, "f").kind, "numerical"); // Evidently tests float columns as numbers whatever their count
  assertEquals(col(report, "j").kind, "numerical"); // 4 values in reference but 8 over both sides
});

Deno.test("DataFrames in give the same report as their tables; the per-column results come out as a DataFrame", async () => {
  const r = rng(11);
  const t = (n: number, shift: number) =>
    new arrow.Table({
      amount: arrow.makeVector(normal(r, n, shift, 2)),
      term: arrow.vectorFromArray(
        Array.from({ length: n }, () => BigInt(12 * (1 + Math.floor(r() * 3)))),
        new arrow.Int64(),
      ),
      intent: arrow.vectorFromArray(pick(r, n, ["EDU", "HOME", null], [shift ? 1 : 3, 2, 0.2])),
      score: arrow.makeVector(Float64Array.from({ length: n }, () => r())),
    });
  const ref = t(3000, 0), cur = t(2000, 0.5);
  const opts = { workers: 0, predictionColumn: "score" };
  const fromTables = (await computeDrift(ref, cur, opts)).report;
  const fromFrames = (await computeDrift(await toDataFrame(ref), await toDataFrame(cur), opts)).report;
  assertEquals(strip(fromFrames), strip(fromTables));
  assertEquals(fromTables.n_drifted, 2, "amount and intent moved");
  const df = await driftColumnsDataFrame(fromTables);
  assertEquals(df.shape, [3, 14]);
  assertEquals(df.column("feature").values, fromTables.columns.map((c) => c.column));
  assertEquals(df.column("drifted").values, [true, true, false]);
  assertEquals(df.column("reference_count").values[0], fromTables.columns[0].reference_count);
  await assertRejects(() => computeDrift(ref, [] as never), Error, "The current data must be an Arrow table");
});
