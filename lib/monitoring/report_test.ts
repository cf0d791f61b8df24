import * as arrow from "apache-arrow";
import { assert, assertEquals } from "@std/assert";
import { DRIFT_HTML, DRIFT_JSON, isProfilePath, runDrift, writeDriftReport } from "./report.ts";
import { computeDrift } from "./drift.ts";
import { exists, readBytes, writeTable } from "../io/mod.ts";
import { startS3 } from "../testing/s3rver.ts";
import { seededRandom as rng } from "../numeric/random.ts";

function loans(n: number, seed: number, shift: number): arrow.Table {
  const r = rng(seed);
  return new arrow.Table({
    loan_amnt: arrow.makeVector(Float64Array.from({ length: n }, () => Math.round(5000 + 20000 * r() + shift * 8000))),
    person_age: arrow.makeVector(Int32Array.from({ length: n }, () => 20 + Math.floor(40 * r()))),
    loan_intent: arrow.vectorFromArray(
      Array.from({ length: n }, () => ["EDUCATION", "MEDICAL", "VENTURE"][Math.floor(3 * r())]),
    ),
    probability: arrow.makeVector(Float64Array.from({ length: n }, () => Math.min(1, r() * 0.5 + shift * 0.2))),
    loan_status: arrow.makeVector(Int32Array.from({ length: n }, () => (r() < 0.2 + shift * 0.2 ? 1 : 0))),
  });
}

Deno.test("writeDriftReport writes the page and the JSON (same numbers) into a folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { report } = await computeDrift(loans(2000, 1, 0), loans(2000, 2, 1), { workers: 0 });
    const w = await writeDriftReport(report, `${dir}/out`);
    assertEquals([w.html, w.json], [`${dir}/out/${DRIFT_HTML}`, `${dir}/out/${DRIFT_JSON}`]);
    const json = JSON.parse(await Deno.readTextFile(w.json));
    assertEquals(json.format, "drift-report/1");
    assertEquals(json.columns, JSON.parse(JSON.stringify(report.columns)));
    assert(json.timings.render_html_s > 0);
    const html = await Deno.readTextFile(w.html);
    assertEquals(new TextEncoder().encode(html).byteLength, w.htmlBytes);
    assert(html.includes(report.summary));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runDrift on S3: reads both sides, writes the report and the profile, then reruns from the profile", async () => {
  const s3 = await startS3();
  try {
    const io = { s3: s3.options };
    const base = `s3://${s3.bucket}`;
    await writeTable(`${base}/data/reference.parquet`, loans(3000, 3, 0), io);
    await writeTable(`${base}/data/current.parquet`, loans(2500, 4, 1), io);
    const first = await runDrift({
      reference: `${base}/data/reference.parquet`,
      current: `${base}/data/current.parquet`,
      out: `${base}/reports/drift`,
      saveProfileTo: `${base}/reports/reference.profile.json`,
      predictionColumn: "probability",
      targetColumn: "loan_status",
      driftShare: 0.3,
      ...io,
    });
    assert(await exists(`${base}/reports/drift/${DRIFT_HTML}`, io));
    const json = JSON.parse(new TextDecoder().decode(await readBytes(`${base}/reports/drift/${DRIFT_JSON}`, io)));
    assertEquals(json.summary, first.report.summary);
    assertEquals(json.reference.source, `${base}/data/reference.parquet`);
    assert(first.profileBytes! > 0);
    assertEquals(first.report.summary, "drift in 1 of 3 columns");
    assertEquals(first.report.columns[0].column, "loan_amnt");
    assert(first.report.dataset_drift, "1 of 3 reaches a drift share of 0.3");
    assertEquals(first.report.prediction_drift!.column, "probability");
    assertEquals(first.report.psi!.bins.length, 10);
    assertEquals(first.report.target_drift!.column, "loan_status");

    const again = await runDrift({
      reference: `${base}/reports/reference.profile.json`,
      current: `${base}/data/current.parquet`,
      out: null,
      predictionColumn: "probability",
      targetColumn: "loan_status",
      driftShare: 0.3,
      ...io,
    });
    assertEquals(again.files, null);
    assertEquals(again.report.reference.profile, true);
    assertEquals(again.report.reference.source, `${base}/data/reference.parquet`);
    assertEquals(again.report.columns, first.report.columns, "every column is exact at this size");
    assertEquals(again.report.psi, first.report.psi);
  } finally {
    await s3.close();
  }
});

Deno.test("isProfilePath tells profiles from data files", () => {
  assertEquals(isProfilePath("reports/reference.profile.json"), true);
  assertEquals(isProfilePath("s3://b/x.JSON"), true);
  assertEquals(isProfilePath("data/loans.parquet"), false);
  assertEquals(isProfilePath("data/loans.csv"), false);
});
