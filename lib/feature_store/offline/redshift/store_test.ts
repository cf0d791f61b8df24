import * as arrow from "apache-arrow";
import { assert, assertEquals, assertRejects } from "@std/assert";
import { featureRepo, type FeatureView, redshiftSource } from "../../definitions.ts";
import type { RedshiftOfflineStoreConfig } from "../../config.ts";
import { getHistoricalFeatures, RetrievalError } from "../historical.ts";
import { latestPerKey } from "../pull_latest.ts";
import { list, timestampMicros } from "../../../io/mod.ts";
import { referencePitJoin } from "../../../testing/pit_reference.ts";
import {
  ALL_FEATURES,
  branch,
  person,
  randomCase,
  referenceViews,
  views,
  zipcode,
} from "../../../testing/pit_cases.ts";
import { requireService } from "../../../testing/services.ts";
import { type RedshiftDataServer, startRedshiftDataServer } from "../../../testing/redshift_data_server.ts";
import { type S3Server, startS3 } from "../../../testing/s3rver.ts";
import { RedshiftOfflineStore, type RedshiftOfflineStoreOptions } from "./mod.ts";

const pg = await requireService("postgres");

function memLoader(tables: Record<string, arrow.Table>) {
  return {
    loadSource: (view: FeatureView, columns: string[]) =>
      Promise.resolve(tables[(view.source as { path: string }).path.slice("mem://".length)].select(columns)),
  };
}

/** Row objects with timestamps as exact µs strings (so the comparison is exact to the microsecond). */
function rowsOf(table: arrow.Table): Record<string, unknown>[] {
  const micros = new Map<string, BigInt64Array>();
  for (const f of table.schema.fields) {
    if (arrow.DataType.isTimestamp(f.type)) micros.set(f.name, timestampMicros(table.getChild(f.name)!));
  }
  return Array.from({ length: table.numRows }, (_, i) => {
    const row: Record<string, unknown> = {};
    for (const f of table.schema.fields) {
      const v = table.getChild(f.name)!;
      row[f.name] = !v.isValid(i) ? null : micros.has(f.name) ? `${micros.get(f.name)![i]}µs` : v.get(i);
    }
    return row;
  });
}

function types(table: arrow.Table): string[] {
  return table.schema.fields.map((f) => `${f.name}:${f.type}`);
}

/** Loads a case's tables into PostgreSQL (with a `_row` row-order column) and returns Redshift views over them. */
async function loadCase(
  server: RedshiftDataServer,
  seed: number,
  tables: Record<string, arrow.Table>,
  ttlDays: number,
) {
  for (const [name, table] of Object.entries(tables)) {
    const withRow = table.assign(
      new arrow.Table({
        _row: arrow.vectorFromArray(Array.from({ length: table.numRows }, (_, i) => i), new arrow.Int32()),
      }),
    );
    await server.loadTable(`${name}_s${seed}`, withRow);
  }
  return views(ttlDays, (o) =>
    redshiftSource({
      name: o.name,
      // odd seeds read the zip codes through a query source, the rest through tables
      ...(o.table === "zips" && seed % 2 === 1
        ? { query: `SELECT * FROM zips_s${seed} WHERE 1 = 1` }
        : { table: `${o.table}_s${seed}`, schema: server.schema }),
      timestampField: o.timestampField,
      createdTimestampColumn: o.createdTimestampColumn,
      fieldMapping: o.fieldMapping,
    }));
}

function storeFor(server: RedshiftDataServer, s3: S3Server, extra: Partial<RedshiftOfflineStoreOptions> = {}) {
  const config: RedshiftOfflineStoreConfig = {
    type: "redshift",
    cluster_id: "test-cluster",
    region: "us-east-1",
    database: "test",
    user: "feast",
    s3_staging_location: `s3://${s3.bucket}/staging/`,
    iam_role: "arn:aws:iam::123456789012:role/redshift-test",
    endpoint: server.endpoint,
  };
  return new RedshiftOfflineStore({
    config,
    s3Options: s3.options,
    credentials: server.credentials,
    rowOrderColumns: { credit: "_row", zips: "_row", branches: "_row" },
    pollInitialMs: 1,
    pollMaxMs: 4,
    ...extra,
  });
}

Deno.test({
  name: "Redshift engine equals the local engine and the slow reference on randomized edge cases",
  ignore: !pg.available,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const s3 = await startS3();
    const server = await startRedshiftDataServer({ s3: s3.options });
    const store = storeFor(server, s3);
    // COPY for every upload and UNLOAD for every result
    const staged = storeFor(server, s3, { insertMaxRows: 0, unloadThresholdRows: 0 });
    let compared = 0;
    try {
      for (let seed = 1; seed <= 40; seed++) {
        const { ttl, ttlDays, entities, tables } = randomCase(seed);
        const full = seed % 2 === 0;
        const local = views(ttlDays);
        const localRepo = featureRepo({
          entities: [person, zipcode, branch],
          views: [local.credit, local.zips, local.branches],
        });
        const want = await getHistoricalFeatures(localRepo, {
          entities,
          features: ALL_FEATURES,
          fullFeatureNames: full,
        }, memLoader(tables));
        const reference = referencePitJoin({
          entities,
          entityTs: "event_timestamp",
          views: referenceViews(tables, ttl, full),
        });
        const remote = await loadCase(server, seed, tables, ttlDays);
        const repo = featureRepo({
          entities: [person, zipcode, branch],
          views: [remote.credit, remote.zips, remote.branches],
        });
        const request = { features: ALL_FEATURES, fullFeatureNames: full };

        const got = await store.getHistoricalFeatures(repo, { ...request, entities });
        assertEquals(types(got), types(want), `seed ${seed}: types`);
        assertEquals(rowsOf(got), rowsOf(want), `seed ${seed}: uploaded entities`);
        assertEquals(
          got.toArray().map((r) => ({ ...r.toJSON() })),
          reference,
          `seed ${seed}: slow reference`,
        );
        compared++;

        // entities as SQL: the same rows, in (event_timestamp, columns...) order
        await server.loadTable(`entities_s${seed}`, entities);
        const bySql = await store.getHistoricalFeatures(repo, {
          ...request,
          entities: { sql: `SELECT * FROM entities_s${seed}` },
        });
        assertEquals(types(bySql), types(want), `seed ${seed}: SQL entity types`);
        const sqlRows = rowsOf(bySql);
        const ts = sqlRows.map((r) => BigInt(String(r.event_timestamp).slice(0, -2)));
        assert(
          ts.every((t, i) => i === 0 || ts[i - 1] <= t),
          `seed ${seed}: SQL entities come back in timestamp order`,
        );
        const byLoan = (rows: Record<string, unknown>[]) =>
          [...rows].sort((a, b) => Number(a.loan_id) - Number(b.loan_id));
        assertEquals(byLoan(sqlRows), byLoan(rowsOf(want)), `seed ${seed}: SQL entities`);

        if (seed % 5 === 0) {
          const copied = await staged.getHistoricalFeatures(repo, { ...request, entities });
          assertEquals(rowsOf(copied), rowsOf(want), `seed ${seed}: COPY + UNLOAD`);
          assertEquals(types(copied), types(want), `seed ${seed}: COPY + UNLOAD types`);
          const unloadedSql = await staged.getHistoricalFeatures(repo, {
            ...request,
            entities: { sql: `SELECT * FROM entities_s${seed}` },
          });
          assertEquals(rowsOf(unloadedSql), sqlRows, `seed ${seed}: SQL entities + UNLOAD`);
        }
      }
      assertEquals(compared, 40);
      assert(server.statements.some((s) => /^\s*COPY /.test(s.sql)), "COPY ran");
      assert(server.statements.some((s) => /^\s*UNLOAD /.test(s.sql)), "UNLOAD ran");
      assertEquals(await list(`s3://${s3.bucket}/staging/`, { s3: s3.options }), [], "staging objects are removed");
    } finally {
      await store.close();
      await staged.close();
      await server.close();
      await s3.close();
    }
  },
});

Deno.test({
  name: "pullLatest in SQL equals the local latestPerKey; values only travel as parameters",
  ignore: !pg.available,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const s3 = await startS3();
    const server = await startRedshiftDataServer({ s3: s3.options });
    const store = storeFor(server, s3);
    const unloading = storeFor(server, s3, { unloadThresholdRows: 0 });
    try {
      for (let seed = 1; seed <= 12; seed++) {
        const { ttlDays, tables, entities } = randomCase(seed);
        const remote = await loadCase(server, seed, tables, ttlDays);
        const local = views(ttlDays);
        const eTs = timestampMicros(entities.getChild("event_timestamp")!);
        const window = { startMicros: Number(eTs[0]) - 86_400_000_000, endMicros: Number(eTs[eTs.length - 1]) };
        for (
          const [r, l] of [[remote.credit, local.credit], [remote.zips, local.zips], [remote.branches, local.branches]]
        ) {
          const src = tables[(l.source as { path: string }).path.slice("mem://".length)];
          const want = latestPerKey(l, src, window);
          const got = await (seed % 3 === 0 ? unloading : store).pullLatest(r, window);
          const keys = r.entities.flatMap((e) => e.joinKeys);
          const sort = (rows: Record<string, unknown>[]) =>
            [...rows].sort((a, b) => {
              for (const k of keys) if (a[k] !== b[k]) return String(a[k]) < String(b[k]) ? -1 : 1;
              return 0;
            });
          assertEquals(types(got), types(want), `seed ${seed} ${r.name}: types`);
          assertEquals(sort(rowsOf(got)), sort(rowsOf(want)), `seed ${seed} ${r.name}`);
        }
      }
      const pulls = server.statements.filter((s) => s.sql.includes(":start_ts"));
      assert(pulls.length > 0);
      for (const s of pulls) {
        assertEquals(s.parameters.map((p) => p.name), ["start_ts", "end_ts"]);
        for (const p of s.parameters) assert(!s.sql.includes(p.value), "window values are not in the SQL text");
      }
    } finally {
      await store.close();
      await unloading.close();
      await server.close();
      await s3.close();
    }
  },
});

Deno.test({
  name: "bad requests to the Redshift store are errors naming the column or view",
  ignore: !pg.available,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const s3 = await startS3();
    const server = await startRedshiftDataServer({ s3: s3.options });
    const store = storeFor(server, s3);
    try {
      const { ttlDays, tables, entities } = randomCase(3);
      const remote = await loadCase(server, 3, tables, ttlDays);
      const repo = featureRepo({
        entities: [person, zipcode, branch],
        views: [remote.credit, remote.zips, remote.branches],
      });
      await assertRejects(
        () =>
          store.getHistoricalFeatures(repo, {
            entities: entities.select(["event_timestamp"]),
            features: ["zipcode_features:city"],
          }),
        RetrievalError,
        `Join key "zipcode" of feature view "zipcode_features" is missing`,
      );
      await assertRejects(
        () =>
          store.getHistoricalFeatures(repo, {
            entities: { sql: "SELECT 1 AS zipcode" },
            features: ["zipcode_features:city"],
          }),
        RetrievalError,
        `no timestamp column "event_timestamp"`,
      );
      await assertRejects(
        () =>
          store.getHistoricalFeatures(repo, {
            entities: { sql: "SELECT 1; DROP TABLE x" },
            features: ["zipcode_features:city"],
          }),
        RetrievalError,
        "single SELECT",
      );
      const local = views(ttlDays);
      const fileRepo = featureRepo({ entities: [zipcode], views: [local.zips] });
      await assertRejects(
        () => store.getHistoricalFeatures(fileRepo, { entities, features: ["zipcode_features:city"] }),
        RetrievalError,
        `Feature view "zipcode_features" reads a file_source`,
      );
    } finally {
      await store.close();
      await server.close();
      await s3.close();
    }
  },
});
