import * as arrow from "apache-arrow";
import { assert, assertEquals, assertRejects } from "@std/assert";
import { requireService } from "../../../testing/services.ts";
import { startRedshiftDataServer } from "../../../testing/redshift_data_server.ts";
import { timestampMicros } from "../../../io/mod.ts";
import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  ExecuteStatementCommand,
} from "@aws-sdk/client-redshift-data";
import { arrowTypeFor, DataApiError, decodeResult, RedshiftDataApi } from "./data_api.ts";

const pg = await requireService("postgres");

function apiFor(server: { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } }) {
  return new RedshiftDataApi({
    clusterId: "test-cluster",
    database: "test",
    dbUser: "feast",
    region: "us-east-1",
    endpoint: server.endpoint,
    credentials: server.credentials,
    pollInitialMs: 1,
    pollMaxMs: 5,
  });
}

Deno.test("decodeResult maps type names and decodes µs timestamps, offsets and nulls exactly", () => {
  const t = decodeResult(
    [
      { name: "i", typeName: "int8" },
      { name: "n", typeName: "int4" },
      { name: "d", typeName: "float8" },
      { name: "s", typeName: "varchar" },
      { name: "b", typeName: "bool" },
      { name: "ts", typeName: "timestamp" },
      { name: "tz", typeName: "timestamptz" },
    ],
    [
      [
        { longValue: 9007199254740991 },
        { longValue: -3 },
        { doubleValue: 0.1 },
        { stringValue: "é" },
        { booleanValue: true },
        { stringValue: "2020-09-13 12:26:40.000001" },
        { stringValue: "2020-09-13 14:26:40.999999+02" },
      ],
      [
        { isNull: true },
        { isNull: true },
        { isNull: true },
        { isNull: true },
        { isNull: true },
        { isNull: true },
        { stringValue: "1969-12-31 23:59:59.5+00" },
      ],
    ],
  );
  assertEquals(t.schema.fields.map((f) => String(f.type)), [
    "Int64",
    "Int32",
    "Float64",
    "Utf8",
    "Bool",
    "Timestamp<MICROSECOND, UTC>",
    "Timestamp<MICROSECOND, UTC>",
  ]);
  assertEquals(t.getChild("i")!.get(0), 9007199254740991n);
  assertEquals(t.getChild("i")!.get(1), null);
  assertEquals(t.getChild("s")!.get(0), "é");
  assertEquals([...timestampMicros(t.getChild("ts")!)], [1_600_000_000_000_001n, 0n]);
  assertEquals(t.getChild("ts")!.isValid(1), false);
  assertEquals([...timestampMicros(t.getChild("tz")!)], [1_600_000_000_999_999n, -500_000n]);
  assertEquals(String(arrowTypeFor("numeric")), "Float64");
  assertEquals(String(arrowTypeFor("geometry")), "Utf8");
});

Deno.test({
  name: "the Data API client polls, pages and decodes against the test server",
  ignore: !pg.available,
  sanitizeResources: false,
  async fn() {
    const server = await startRedshiftDataServer({ pageSize: 3, minPolls: 3 });
    const api = apiFor(server);
    try {
      await server.loadTable(
        "t",
        new arrow.Table({
          id: arrow.vectorFromArray([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n], new arrow.Int64()),
          x: arrow.vectorFromArray([0.5, null, 1e-300, -2, 3, 4, 5, 6, 7, 8], new arrow.Float64()),
        }),
      );
      await server.sql(`ALTER TABLE t ADD COLUMN ts TIMESTAMP, ADD COLUMN s VARCHAR(10), ADD COLUMN b BOOLEAN`);
      await server.sql(`UPDATE t SET ts = TIMESTAMP '2021-07-28 17:09:19.623001' + id * INTERVAL '1 microsecond'`);
      await server.sql(`UPDATE t SET s = 'row' || id, b = id % 2 = 0 WHERE id < 9`);
      const before = { ...server.calls };
      const table = await api.query(`SELECT id, x, ts, s, b FROM t WHERE id >= :low ORDER BY id`, {
        parameters: [{ name: "low", value: "1" }],
      });
      assertEquals(table.numRows, 10);
      assertEquals(server.calls.getResult - before.getResult, 4, "10 rows in pages of 3");
      assert(server.calls.describe - before.describe >= 3, "polled until FINISHED");
      assertEquals([...table.getChild("id")!], [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n]);
      assertEquals(table.getChild("x")!.get(1), null);
      assertEquals(table.getChild("x")!.get(2), 1e-300);
      assertEquals(timestampMicros(table.getChild("ts")!)[0], 1627492159623002n);
      assertEquals(table.getChild("s")!.get(9), null);
      assertEquals(table.getChild("b")!.get(1), true);
      assertEquals(table.getChild("b")!.get(9), null);
      const named = await api.query(`SELECT id AS "ID" FROM t WHERE id = :id`, {
        parameters: [{ name: "id", value: "4" }],
        names: ["renamed"],
      });
      assertEquals(named.schema.fields.map((f) => f.name), ["renamed"]);
    } finally {
      await api.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "a session keeps temp tables between statements; a failing statement names its id, not parameter values",
  ignore: !pg.available,
  sanitizeResources: false,
  async fn() {
    const server = await startRedshiftDataServer();
    const api = apiFor(server);
    try {
      const s = api.session({ keepAliveSeconds: 60 });
      await s.execute(`CREATE TEMP TABLE tmp (a BIGINT, t TIMESTAMP)`);
      await s.execute(`INSERT INTO tmp VALUES (:a, :t), (:b, NULL)`, {
        parameters: [{ name: "a", value: "7" }, { name: "t", value: "1999-12-31 23:59:59.999999" }, {
          name: "b",
          value: "8",
        }],
      });
      const rows = await s.query(`SELECT a, t FROM tmp ORDER BY a`);
      assertEquals([...rows.getChild("a")!], [7n, 8n]);
      assertEquals(timestampMicros(rows.getChild("t")!)[0], 946684799999999n);
      assert(s.id);
      const withSession = server.statements.filter((st) => st.sessionId === s.id);
      assertEquals(withSession.length, 3);
      const err = await assertRejects(
        () =>
          s.execute(`SELECT * FROM tmp WHERE a = :secret::int8 / 0`, {
            parameters: [{ name: "secret", value: "424242" }],
          }),
        DataApiError,
      );
      const failed = server.statements.at(-1)!;
      assert(err.message.includes(`"${failed.id}"`), err.message);
      assert(err.message.includes("division by zero"), err.message);
      assert(!err.message.includes("424242"), err.message);
      // the session still works after a failure
      assertEquals((await s.query(`SELECT COUNT(*) AS n FROM tmp`)).getChild("n")!.get(0), 2n);
      // outside the session the temp table does not exist
      await assertRejects(() => api.query(`SELECT * FROM tmp`), DataApiError, `"tmp" does not exist`);
    } finally {
      await api.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "the test server runs BatchExecuteStatement as one transaction and cancels statements",
  ignore: !pg.available,
  sanitizeResources: false,
  async fn() {
    const server = await startRedshiftDataServer({ minPolls: 1 });
    const api = apiFor(server);
    try {
      const batch = await api.client.send(
        new BatchExecuteStatementCommand({
          ...api.connection(),
          Sqls: ["CREATE TABLE b (a BIGINT)", "INSERT INTO b VALUES (:v)", "SELECT a FROM b"],
          Parameters: [{ name: "v", value: "5" }],
        }),
      );
      const done = await api.wait(batch.Id!);
      assertEquals(done.SubStatements?.map((s) => s.Status), ["FINISHED", "FINISHED", "FINISHED"]);
      assertEquals([...(await api.fetch(`${batch.Id}:3`)).getChild("a")!], [5n]);
      const failing = await api.client.send(
        new BatchExecuteStatementCommand({ ...api.connection(), Sqls: ["INSERT INTO b VALUES (6)", "SELECT 1/0"] }),
      );
      await assertRejects(() => api.wait(failing.Id!), DataApiError, "division by zero");
      assertEquals((await api.query("SELECT COUNT(*) AS n FROM b")).getChild("n")!.get(0), 1n, "rolled back");
      const started = await api.client.send(
        new ExecuteStatementCommand({ ...api.connection(), Sql: "SELECT pg_sleep(600)" }),
      );
      const cancelled = await api.client.send(new CancelStatementCommand({ Id: started.Id }));
      assertEquals(cancelled.Status, true);
      await assertRejects(() => api.wait(started.Id!), DataApiError, "was aborted");
    } finally {
      await api.close();
      await server.close();
    }
  },
});
