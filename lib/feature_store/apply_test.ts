import * as arrow from "apache-arrow";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { readBytes, timestampVector, writeBytes, writeParquetTable } from "../io/mod.ts";

import { startS3 } from "../testing/s3rver.ts";
import { creditRepo } from "../credit/repo.ts";
import { apply } from "./apply.ts";
import { entity, featureRepo, featureView, fileSource, redshiftSource } from "./definitions.ts";
import { loadRegistry } from "./registry.ts";
import { ValidationError } from "./validate.ts";

const DATA = new URL("../../../shared/data/feast-credit/", import.meta.url).pathname;
const hasData = await Deno.stat(`${DATA}zipcode_table.parquet`).then(() => true, () => false);
if (!hasData) console.warn(`%cSkipping real-data apply tests: ${DATA} is absent`, "color: orange");

const CREDIT_COLUMNS = [
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

/** A small credit_history.parquet with the tutorial's columns (the real one is not published). */
function creditHistoryTable(rows = 3): arrow.Table {
  const micros = BigInt(Date.parse("2020-04-26T18:01:04Z")) * 1000n;
  const columns: Record<string, arrow.Vector> = {
    dob_ssn: arrow.vectorFromArray(Array.from({ length: rows }, (_, i) => `1990010${i}_000${i}`), new arrow.Utf8()),
  };
  for (const name of CREDIT_COLUMNS) {
    columns[name] = arrow.makeVector(BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)));
  }
  columns.event_timestamp = timestampVector(new BigInt64Array(rows).fill(micros));
  columns.created_timestamp = timestampVector(new BigInt64Array(rows).fill(micros));
  return new arrow.Table(columns);
}

/** A data dir with the real zipcode table (copied into a temp folder) and a synthetic credit history. */
async function creditDataDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "apply-test-" });
  await Deno.copyFile(`${DATA}zipcode_table.parquet`, `${dir}/zipcode_table.parquet`);
  await writeParquetTable(`${dir}/credit_history.parquet`, creditHistoryTable());
  return dir;
}

function collect(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

Deno.test({
  name: "apply of the credit repo: created, then unchanged, then a dry run of a ttl change",
  ignore: !hasData,
  fn: async () => {
    const dataDir = await creditDataDir();
    const config = { project: "credit_scoring", registry: `${dataDir}/registry.json` };
    const first = collect();
    const result = await apply({ repo: creditRepo({ dataDir }), config, log: first.log });
    assertEquals(first.lines, [
      "Created entity dob_ssn",
      "Created entity zipcode",
      "Created feature view credit_history",
      "Created feature view zipcode_features",
      "Created feature service credit_score_lite",
      "Created feature service credit_score_v1",
      `Registry "${config.registry}" updated (version 1)`,
    ]);
    assert(result.written);
    const stored = await loadRegistry(config.registry, { project: "credit_scoring" });
    assertEquals(stored.version, 1);
    const view = stored.feature_views.credit_history.spec as Record<string, unknown>;
    assertEquals(view.ttl_seconds, 90 * 86400);
    const features = view.features as { name: string; description: string }[];
    assertEquals(
      features.find((f) => f.name === "missed_payments_6m")?.description,
      "missed payments in the last 6 months",
    );

    const second = collect();
    const again = await apply({ repo: creditRepo({ dataDir }), config, log: second.log });
    assertEquals(again.written, false);
    assertEquals(second.lines.slice(0, 6).every((l) => l.startsWith("Unchanged ")), true);
    assertEquals(second.lines[6], `No changes; registry "${config.registry}" left as it is`);

    // A dry run of a changed definition prints the change but leaves the file as it was.
    const before = await Deno.readFile(config.registry);
    const repo = creditRepo({ dataDir });
    const zip = repo.views.find((v) => v.name === "zipcode_features")!;
    const shorter = featureView({ ...zip, entities: [...zip.entities], schema: [...zip.schema], ttl: "365d" });
    const dry = collect();
    const plan = await apply({
      repo: featureRepo({ entities: [...repo.entities], views: [repo.views[0], shorter] }),
      config,
      dryRun: true,
      log: dry.log,
    });
    assertEquals(dry.lines.includes("Changed feature view zipcode_features: ttl_seconds 315360000 → 31536000"), true);
    assertEquals(dry.lines.includes("Deleted feature service credit_score_v1"), true);
    assertEquals(dry.lines.at(-1), `Dry run: registry "${config.registry}" not written`);
    assertEquals(plan.written, false);
    assertEquals(await Deno.readFile(config.registry), before);
  },
});

Deno.test({
  name: "a misspelt column fails apply naming it, and the registry is not written",
  ignore: !hasData,
  fn: async () => {
    const dataDir = await creditDataDir();
    const registry = `${dataDir}/registry.json`;
    const zipcode = entity({ name: "zipcode", valueType: "int64" });
    const view = featureView({
      name: "zipcode_features",
      entities: [zipcode],
      schema: [{ name: "populaton", dtype: "int64" }, { name: "city", dtype: "int64" }],
      source: fileSource({ name: "z", path: `${dataDir}/zipcode_table.parquet`, timestampField: "event_timestamp" }),
    });
    const out = collect();
    const err = await assertRejects(
      () =>
        apply({
          repo: featureRepo({ entities: [zipcode], views: [view] }),
          config: { project: "p", registry },
          log: out.log,
        }),
      ValidationError,
    );
    assertEquals(err.problems, [
      `Feature view "zipcode_features": column "populaton" missing from source "${dataDir}/zipcode_table.parquet"; ` +
      `did you mean "population"?`,
      `Feature view "zipcode_features": column "city" has type Utf8, feature "city" expects int64`,
    ]);
    assertEquals(out.lines, []);
    assertEquals(await Deno.stat(registry).then(() => true, () => false), false);

    // An existing registry stays byte-identical when a later apply fails.
    await apply({ repo: creditRepo({ dataDir }), config: { project: "p", registry }, log: () => {} });
    const before = await Deno.readFile(registry);
    await assertRejects(
      () => apply({ repo: featureRepo({ entities: [zipcode], views: [view] }), config: { project: "p", registry } }),
      ValidationError,
    );
    assertEquals(await Deno.readFile(registry), before);
  },
});

Deno.test("a missing source file is a validation error naming the view and the path", async () => {
  const dir = await Deno.makeTempDir();
  const zipcode = entity({ name: "zipcode", valueType: "int64" });
  const view = featureView({
    name: "zip",
    entities: [zipcode],
    schema: [{ name: "population", dtype: "int64" }],
    source: fileSource({ name: "z", path: `${dir}/nope.parquet`, timestampField: "event_timestamp" }),
  });
  const err = await assertRejects(
    () =>
      apply({
        repo: featureRepo({ entities: [zipcode], views: [view] }),
        config: { project: "p", registry: `${dir}/r.json` },
      }),
    ValidationError,
  );
  assertStringIncludes(err.message, `Feature view "zip": cannot read the schema of source "${dir}/nope.parquet"`);
  assertEquals([...Deno.readDirSync(dir)], []);
});

Deno.test("Redshift sources are validated statically only, and apply says so", async () => {
  const dir = await Deno.makeTempDir();
  const person = entity({ name: "dob_ssn", valueType: "string" });
  const view = featureView({
    name: "credit_history",
    entities: [person],
    ttl: "90d",
    schema: [{ name: "bankruptcies", dtype: "int64" }],
    source: redshiftSource({
      name: "ch",
      table: "credit_history",
      schema: "public",
      timestampField: "event_timestamp",
    }),
  });
  const out = collect();
  const result = await apply({
    repo: featureRepo({ entities: [person], views: [view] }),
    config: { project: "p", registry: `${dir}/r.json` },
    log: out.log,
    io: { readSchema: () => Promise.reject(new Error("must not read a Redshift source")) },
  });
  assertEquals(
    out.lines[0],
    `Warning: Feature view "credit_history": Redshift source "public.credit_history" ` +
      `validated statically only (columns not checked against the table)`,
  );
  assertEquals(out.lines.slice(1, 3), ["Created entity dob_ssn", "Created feature view credit_history"]);
  assert(result.written);
});

Deno.test({
  name: "CSV sources validate through apply, naive timestamps warned (and refused when strict)",
  ignore: !hasData,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const person = entity({ name: "dob_ssn", valueType: "string" });
    const view = featureView({
      name: "credit_history",
      entities: [person],
      ttl: "90d",
      schema: CREDIT_COLUMNS.map((name) => ({ name, dtype: "int64" as const })),
      source: fileSource({
        name: "credit_csv",
        path: `${DATA}credit_history_sample.csv`,
        timestampField: "event_timestamp",
        createdTimestampColumn: "created_timestamp",
      }),
    });
    const repo = featureRepo({ entities: [person], views: [view] });
    const out = collect();
    const result = await apply({ repo, config: { project: "p", registry: `${dir}/r.json` }, log: out.log });
    assertEquals(result.warnings.length, 2);
    assertStringIncludes(out.lines[0], 'Warning: Feature view "credit_history": column "event_timestamp"');
    assert(result.written);
    await assertRejects(
      () => apply({ repo, config: { project: "p", registry: `${dir}/strict.json` }, strict: true }),
      ValidationError,
      "no time zone",
    );
  },
});

Deno.test({
  name: "apply reads sources from S3 and writes the registry there",
  ignore: !hasData,
  fn: async () => {
    const s3 = await startS3();
    const saved = Object.fromEntries(Object.keys(s3.env).map((k) => [k, Deno.env.get(k)]));
    try {
      for (const [k, v] of Object.entries(s3.env)) Deno.env.set(k, v);
      const dataDir = `s3://${s3.bucket}/credit`;
      await writeBytes(`${dataDir}/zipcode_table.parquet`, await Deno.readFile(`${DATA}zipcode_table.parquet`));
      await writeParquetTable(`${dataDir}/credit_history.parquet`, creditHistoryTable());
      const config = {
        project: "credit_scoring",
        registry: `s3://${s3.bucket}/registry.json`,
        s3: { endpoint: s3.endpoint, force_path_style: true },
      };
      const result = await apply({ repo: creditRepo({ dataDir }), config, log: () => {} });
      assert(result.written);
      const stored = JSON.parse(new TextDecoder().decode(await readBytes(config.registry)));
      assertEquals(Object.keys(stored.feature_views), ["credit_history", "zipcode_features"]);
      assertEquals(stored.version, 1);
      const again = await apply({ repo: creditRepo({ dataDir }), config, log: () => {} });
      assertEquals(again.written, false);
    } finally {
      for (const [k, v] of Object.entries(saved)) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
      await s3.close();
    }
  },
});
