import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "@std/assert";
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { requireDynalite } from "../../testing/dynalite.ts";
import { ConfigError } from "../store_settings.ts";
import { encodeRecords } from "./codec.ts";
import {
  dynamodbDefaults,
  DynamoDBOnlineStore,
  dynamodbOnlineStore,
  type DynamoDBOnlineStoreConfig,
} from "./dynamodb.ts";
import { OnlineStoreError } from "./interface.ts";
import { openOnlineStore } from "./registry.ts";
import { resolveConfig } from "../config.ts";
import { onlineStoreConformance, testViews } from "./store_conformance.ts";

const dynamo = await requireDynalite();
const server = dynamo.server;
const config = (over: Partial<DynamoDBOnlineStoreConfig> = {}): DynamoDBOnlineStoreConfig => ({
  ...dynamodbDefaults,
  type: "dynamodb",
  region: server?.region ?? "us-east-1",
  endpoint: server?.endpoint,
  ...over,
});
const store = (project: string, over: Partial<DynamoDBOnlineStoreConfig> = {}) =>
  new DynamoDBOnlineStore({ config: config(over), project, credentials: server?.credentials });

// Small read chunks so that the tests cross chunk boundaries.
onlineStoreConformance("dynamodb", {
  ignore: !dynamo.available,
  makeStore: (project) => store(project, { batch_size: 37 }),
});

Deno.test({
  name: "dynamodb: one table per (project, view) named by the template; one item per entity key",
  ignore: !dynamo.available,
  fn: async () => {
    const project = `test_${crypto.randomUUID().slice(0, 8)}`;
    const online = store(project, { table_name_template: "fs-{project}.{table_name}" });
    const client = new DynamoDBClient(server!.clientConfig);
    try {
      const batch = encodeRecords(testViews.typed, [{
        id: 7,
        i: 1,
        s: "a",
        event_timestamp: 10,
        created_timestamp: 11,
      }]);
      await online.onlineWriteBatch(testViews.typed, batch);
      const table = `fs-${project}.typed`;
      assertEquals(online.tableName(testViews.typed), table);
      const described = await client.send(new DescribeTableCommand({ TableName: table }));
      assertEquals(described.Table?.KeySchema, [{ AttributeName: "entity_id", KeyType: "HASH" }]);
      const item = (await client.send(new GetItemCommand({ TableName: table, Key: { entity_id: { S: "id=i1:7" } } })))
        .Item!;
      // the packed value of codec.ts, as the Redis store holds it
      assertEquals(item.value.S?.replace(/\|[0-9a-f]{8}\|/, "|<fp>|"), '1|10|11|<fp>|[1,null,"a",null,null]');
      assertEquals([item.event_ts.N, item.created_ts.N], ["10", "11"]);
      // update creates the tables of kept views and deletes those of removed ones
      await online.update({ keep: [testViews.multi], remove: [testViews.typed] });
      const tables = (await client.send(new ListTablesCommand({}))).TableNames!.filter((t) => t.includes(project));
      assertEquals(tables, [`fs-${project}.multi`]);
      assertEquals(await online.onlineRead(testViews.typed, ["id=i1:7"]), [null]); // no table: nothing found
    } finally {
      await online.teardown([testViews.typed, testViews.multi]);
      await online.close();
      client.destroy();
    }
  },
});

Deno.test({
  name: "dynamodb: duplicate keys in one read and in one write batch; concurrent writers keep the newest row",
  ignore: !dynamo.available,
  fn: async () => {
    const project = `test_${crypto.randomUUID().slice(0, 8)}`;
    const a = store(project, { max_write_workers: 4 });
    const b = store(project, { max_write_workers: 4 });
    try {
      const rows = (event: number) =>
        encodeRecords(
          testViews.typed,
          Array.from({ length: 300 }, (_, k) => ({ id: k, i: event, event_timestamp: event })),
        );
      // two writers at once, one newer: whatever the interleaving, the newer rows win
      const [older, newer] = await Promise.all([
        a.onlineWriteBatch(testViews.typed, rows(1)),
        b.onlineWriteBatch(testViews.typed, rows(2)),
      ]);
      assertEquals(newer.written, 300);
      assertEquals(older.written + older.skipped, 300);
      const keys = rows(1).keys;
      const read = await a.onlineRead(testViews.typed, [keys[5], keys[5], keys[299]]);
      assertEquals(read.map((r) => r?.values[0]), [2, 2, 2]);
      // the same key twice in one batch: the newer row is stored whatever the order of the puts
      const twice = encodeRecords(testViews.typed, [
        { id: 1000, i: 3, event_timestamp: 3 },
        { id: 1000, i: 4, event_timestamp: 4 },
        { id: 1000, i: 1, event_timestamp: 1 },
      ]);
      const w = await a.onlineWriteBatch(testViews.typed, twice);
      assertEquals(w.written + w.skipped, 3);
      assertEquals((await b.onlineRead(testViews.typed, [twice.keys[0]]))[0]?.values[0], 4);
      assertEquals(await a.onlineWriteBatch(testViews.typed, rows(1)), { written: 0, skipped: 300 });
    } finally {
      await a.teardown([testViews.typed]);
      await a.close();
      await b.close();
    }
  },
});

Deno.test("dynamodb: an unreachable endpoint is an error naming it and the settings, never a secret", async () => {
  const online = new DynamoDBOnlineStore({
    config: config({ endpoint: "http://127.0.0.1:1", region: "eu-west-1" }),
    project: "p",
    source: "feature_store.yaml",
    credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "very-secret-key" },
    maxAttempts: 1,
  });
  const err = await assertRejects(() => online.onlineRead(testViews.typed, ["id=i1:1"]), OnlineStoreError);
  assertStringIncludes(
    err.message,
    `DynamoDB at http://127.0.0.1:1 (eu-west-1) failed (settings "online_store.region" and "online_store.endpoint" ` +
      `in "feature_store.yaml")`,
  );
  assertEquals(err.message.includes("very-secret-key"), false);
  await online.close();
});

Deno.test("dynamodb: table names are checked; the plug-in opens a store from a validated section", () => {
  assertThrows(
    () => new DynamoDBOnlineStore({ config: config({ table_name_template: "{table_name}" }), project: "p" }),
    ConfigError,
    `"online_store.table_name_template"`,
  );
  const online = dynamodbOnlineStore.open(config(), { project: "credit scoring", source: "fs.yaml" });
  assertEquals(online.type, "dynamodb");
  assertThrows(
    () => (online as DynamoDBOnlineStore).tableName(testViews.typed),
    OnlineStoreError,
    `DynamoDB table name "credit scoring.typed" (setting "online_store.table_name_template" in "fs.yaml"`,
  );
});

Deno.test({
  name: "dynamodb: opened from a configuration through the registry, credentials from the AWS default chain",
  ignore: !dynamo.available,
  fn: async () => {
    const names = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"] as const;
    const saved = names.map((n) => Deno.env.get(n));
    Deno.env.set("AWS_ACCESS_KEY_ID", server!.credentials.accessKeyId);
    Deno.env.set("AWS_SECRET_ACCESS_KEY", server!.credentials.secretAccessKey);
    Deno.env.delete("AWS_PROFILE");
    const config = resolveConfig({
      fromFile: {
        project: `test_${crypto.randomUUID().slice(0, 8)}`,
        online_store: { type: "dynamodb", region: server!.region, endpoint: server!.endpoint },
      },
      env: {},
    });
    const online = openOnlineStore(config);
    try {
      assertEquals([online.type, online.location], ["dynamodb", `${server!.endpoint} (${server!.region})`]);
      const batch = encodeRecords(testViews.typed, [{ id: 1, i: 5, event_timestamp: 1 }]);
      assertEquals(await online.onlineWriteBatch(testViews.typed, batch), { written: 1, skipped: 0 });
      assertEquals((await online.onlineRead(testViews.typed, batch.keys))[0]?.values[0], 5);
    } finally {
      await online.teardown([testViews.typed]);
      await online.close();
      names.forEach((n, i) => saved[i] === undefined ? Deno.env.delete(n) : Deno.env.set(n, saved[i]!));
    }
  },
});
