import { assertEquals, assertMatch } from "@std/assert";
import { featureRefs, toCanonical } from "../feature_store/definitions.ts";
import { creditRepo } from "./repo.ts";

const CREDIT = [
  "credit_card_due",
  "mortgage_due",
  "student_loan_due",
  "vehicle_loan_due",
  "hard_pulls",
  "missed_payments_2y",
  "missed_payments_1y",
  "missed_payments_6m",
  "bankruptcies",
];
const ZIP = ["city", "state", "location_type", "tax_returns_filed", "population", "total_wages"];

Deno.test("creditRepo has the tutorial's entities, views, ttls and sources under dataDir", () => {
  const repo = creditRepo({ dataDir: "s3://bucket/credit/" });
  assertEquals(repo.entities.map((e) => [e.name, e.valueType]), [["dob_ssn", "string"], ["zipcode", "int64"]]);
  const [history, zip] = repo.views;
  assertEquals([history.name, history.ttlSeconds], ["credit_history", 90 * 86400]);
  assertEquals([zip.name, zip.ttlSeconds], ["zipcode_features", 3650 * 86400]);
  assertEquals(history.schema.map((f) => f.name), CREDIT);
  assertEquals(zip.schema.map((f) => f.name), ZIP);
  assertEquals(zip.schema.filter((f) => f.dtype === "string").map((f) => f.name), ["city", "state", "location_type"]);
  for (const view of repo.views) {
    assertEquals(view.source.timestampField, "event_timestamp");
    assertEquals(view.source.createdTimestampColumn, "created_timestamp");
  }
  assertEquals(
    repo.views.map((v) => v.source.kind === "file_source" ? v.source.path : ""),
    ["s3://bucket/credit/credit_history.parquet", "s3://bucket/credit/zipcode_table.parquet"],
  );
});

Deno.test("every credit feature has a human-readable description", () => {
  const repo = creditRepo({ dataDir: "data" });
  for (const f of repo.views.flatMap((v) => v.schema)) assertMatch(f.description, /^[a-z].{8,}/, f.name);
  const sixMonths = repo.views[0].schema.find((f) => f.name === "missed_payments_6m");
  assertEquals(sixMonths?.description, "missed payments in the last 6 months");
});

Deno.test("credit_score_v1 serves every feature; the lite service a subset", () => {
  const repo = creditRepo({ dataDir: "data" });
  const [v1, lite] = repo.services;
  assertEquals(v1.name, "credit_score_v1");
  assertEquals(featureRefs(v1), [
    ...CREDIT.map((f) => `credit_history:${f}`),
    ...ZIP.map((f) => `zipcode_features:${f}`),
  ]);
  const liteRefs = featureRefs(lite);
  assertEquals(liteRefs.length < featureRefs(v1).length && liteRefs.every((r) => featureRefs(v1).includes(r)), true);
});

Deno.test("creditRepo is deterministic: the same dataDir gives the same canonical definitions", () => {
  const a = creditRepo({ dataDir: "data" });
  const b = creditRepo({ dataDir: "data/" });
  assertEquals(a.views.map(toCanonical), b.views.map(toCanonical));
});
