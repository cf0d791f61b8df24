import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "@std/assert";
import { ConfigError, DEFAULT_CONFIG, envOverrides, loadConfig, parseConfigText, resolveConfig } from "./config.ts";
import { knownOfflineStoreTypes } from "./offline/registry.ts";
import { knownOnlineStoreTypes, onlineStorePlugin, openOnlineStore } from "./online/registry.ts";

Deno.test("defaults are embedded: file offline store, sqlite online store", async () => {
  const config = await loadConfig({ env: {}, path: undefined });
  assertEquals(config.offline_store, { type: "file" });
  assertEquals(config.online_store, { type: "sqlite", path: "data/online_store.db" });
  assertEquals(config.registry, DEFAULT_CONFIG.registry);
});

Deno.test("a file overrides defaults, resolves relative paths and substitutes ${VAR}", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/feature_store.yaml`;
    await Deno.writeTextFile(
      path,
      [
        "project: lender_a",
        "registry: meta/registry.json",
        "online_store:",
        "  type: redis",
        "  port: 6380",
        "  password: ${REDIS_PASSWORD}",
      ].join("\n"),
    );
    const config = await loadConfig({ path, env: { REDIS_PASSWORD: "pw" } });
    assertEquals(config.project, "lender_a");
    assertEquals(config.registry, `${dir}/meta/registry.json`);
    assertEquals(config.online_store, {
      type: "redis",
      host: "127.0.0.1",
      port: 6380,
      tls: false,
      db: 0,
      key_ttl_seconds: 0,
      password: "pw",
    });
    assertEquals(config.source, path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("environment variables override the file", () => {
  const config = resolveConfig({
    fromFile: { online_store: { type: "redis", host: "a" } },
    env: { FEATURE_STORE__ONLINE_STORE__HOST: "b", FEATURE_STORE__ONLINE_STORE__TLS: "true", OTHER: "x" },
  });
  assertEquals(config.online_store.type, "redis");
  if (config.online_store.type === "redis") {
    assertEquals(config.online_store.host, "b");
    assertEquals(config.online_store.tls, true);
  }
  assertEquals(envOverrides({ FEATURE_STORE__PROJECT: "p" }), { project: "p" });
});

Deno.test("invalid settings are errors that name the setting", async () => {
  assertThrows(
    () => resolveConfig({ fromFile: { online_store: { type: "dynamodb" } } }),
    ConfigError,
    `Setting "online_store.region" is required in the configuration`,
  );
  assertThrows(
    () => resolveConfig({ fromFile: { online_store: { type: "redis", hots: "x" } } }),
    ConfigError,
    `Unknown setting "online_store.hots" in the configuration; did you mean "host"?`,
  );
  assertThrows(
    () => resolveConfig({ fromFile: { online_store: { type: "redis", port: "six" } } }),
    ConfigError,
    `"online_store.port"`,
  );
  assertThrows(
    () => resolveConfig({ fromFile: { online_store: { type: "redis", port: 70000 } } }),
    ConfigError,
    "expected 1..65535",
  );
  assertThrows(() => resolveConfig({ fromFile: { regsitry: "x" } }), ConfigError, `did you mean "registry"`);
  const err = assertThrows(
    () => resolveConfig({ fromFile: { offline_store: { type: "redshift", region: "us-west-2" } } }),
    ConfigError,
  );
  assertStringIncludes(err.message, `"offline_store.database" is required`);
  assertThrows(
    () =>
      resolveConfig({
        fromFile: { offline_store: { type: "redshift", region: "r", database: "d", s3_staging_location: "s3://b/p" } },
      }),
    ConfigError,
    "cluster_id",
  );
  assertThrows(() => parseConfigText("a: [", { source: "f.yaml", env: {} }), ConfigError, `"f.yaml" is not valid YAML`);
  assertThrows(
    () => parseConfigText("registry: ${NOPE}", { source: "f.yaml", env: {} }),
    ConfigError,
    `environment variable "NOPE"`,
  );
  await assertRejects(() => loadConfig({ path: "/nonexistent/fs.yaml", env: {} }), ConfigError, "/nonexistent/fs.yaml");
});

Deno.test("an unknown store type is an error naming the known types, never a silent default", () => {
  assertThrows(
    () => resolveConfig({ fromFile: { online_store: { type: "cassandra", host: "x" } } }),
    ConfigError,
    `Setting "online_store.type" in the configuration is "cassandra"; expected one of: sqlite, redis, dynamodb`,
  );
  assertThrows(
    () => resolveConfig({ env: { FEATURE_STORE__ONLINE_STORE__TYPE: "Redis" } }),
    ConfigError,
    `is "Redis"; expected one of: sqlite, redis, dynamodb`,
  );
  assertThrows(
    () => resolveConfig({ fromFile: { offline_store: { type: "bigquery" } }, source: "fs.yaml" }),
    ConfigError,
    `Setting "offline_store.type" in "fs.yaml" is "bigquery"; expected one of: file, redshift`,
  );
  assertThrows(
    () => resolveConfig({ fromFile: { online_store: { path: "x.db", type: null } } }),
    ConfigError,
    `Setting "online_store.type" in the configuration is missing; expected one of: sqlite, redis, dynamodb`,
  );
  assertEquals(knownOnlineStoreTypes(), ["sqlite", "redis", "dynamodb"]);
  assertEquals(knownOfflineStoreTypes(), ["file", "redshift"]);
  // a hand-built configuration that skipped validation fails the same way when the store is opened
  assertThrows(
    () => openOnlineStore({ project: "p", online_store: { type: "mongo" } as never }),
    ConfigError,
    "expected one of: sqlite, redis, dynamodb",
  );
});

Deno.test("dynamodb: defaults, file settings, and errors naming the setting and the file", async () => {
  const config = resolveConfig({
    fromFile: { online_store: { type: "dynamodb", region: "eu-west-1" } },
    source: "feature_store.yaml",
  });
  assertEquals(config.online_store, {
    type: "dynamodb",
    region: "eu-west-1",
    table_name_template: "{project}.{table_name}",
    batch_size: 100,
    max_read_workers: 10,
    max_write_workers: 32,
    consistent_reads: false,
  });
  const local = resolveConfig({
    env: {
      FEATURE_STORE__ONLINE_STORE__TYPE: "dynamodb",
      FEATURE_STORE__ONLINE_STORE__REGION: "local",
      FEATURE_STORE__ONLINE_STORE__ENDPOINT: "http://127.0.0.1:4567",
      FEATURE_STORE__ONLINE_STORE__BATCH_SIZE: "40",
    },
  });
  if (local.online_store.type !== "dynamodb") throw new Error("expected dynamodb");
  assertEquals([local.online_store.endpoint, local.online_store.batch_size], ["http://127.0.0.1:4567", 40]);
  const bad = (online_store: Record<string, unknown>) => () =>
    resolveConfig({
      fromFile: { online_store: { type: "dynamodb", region: "eu-west-1", ...online_store } },
      source: "fs.yaml",
    });
  assertThrows(
    bad({ batch_size: 500 }),
    ConfigError,
    `Setting "online_store.batch_size" in "fs.yaml" is 500; expected 1..100`,
  );
  assertThrows(
    bad({ table_name_template: "{table_name}" }),
    ConfigError,
    `"online_store.table_name_template" in "fs.yaml"`,
  );
  assertThrows(bad({ table_name_template: "{project}/{table_name}" }), ConfigError, "only letters, digits");
  assertThrows(
    bad({ endpoint: "localhost:8000" }),
    ConfigError,
    `"online_store.endpoint" in "fs.yaml" is "localhost:8000"; expected an http(s):// URL`,
  );
  assertThrows(
    bad({ region: "Ireland" }),
    ConfigError,
    `"online_store.region" in "fs.yaml" is "Ireland"; expected an AWS region`,
  );
  assertThrows(bad({ table: "x" }), ConfigError, `Unknown setting "online_store.table" in "fs.yaml"`);
  assertThrows(
    bad({ aws_secret_access_key: "s3cr3t" }),
    ConfigError,
    `Unknown setting "online_store.aws_secret_access_key"`,
  );
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/feature_store.yaml`;
    await Deno.writeTextFile(path, "online_store:\n  type: dynamodb\n  region: us-east-1\n  max_write_workers: 0\n");
    await assertRejects(
      () => loadConfig({ path, env: {} }),
      ConfigError,
      `Setting "online_store.max_write_workers" in "${path}" is 0; expected an integer >= 1`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("secret settings are never echoed; store settings come from the registry's schemas", () => {
  const err = assertThrows(
    () => resolveConfig({ fromFile: { online_store: { type: "redis", password: 123456789 } } }),
    ConfigError,
    `Setting "online_store.password" in the configuration is a number (value hidden); expected a string`,
  );
  assertEquals(err.message.includes("123456789"), false);
  assertThrows(
    () => resolveConfig({ fromFile: { online_store: { type: "redis", cluster_nodes: ["a:1"], db: 2 } } }),
    ConfigError,
    "Redis Cluster only has db 0",
  );
  assertThrows(
    () => resolveConfig({ fromFile: { online_store: { type: "redis", cluster_nodes: ["nohost"] } } }),
    ConfigError,
    `"online_store.cluster_nodes" in the configuration is ["nohost"]; expected a list of "host:port"`,
  );
  assertEquals(onlineStorePlugin("redis")?.settings.password?.secret, true);
});

Deno.test("path settings of the chosen store are resolved against the file's folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/feature_store.yaml`;
    await Deno.writeTextFile(path, "online_store:\n  path: online/store.db\n");
    assertEquals((await loadConfig({ path, env: {} })).online_store, {
      type: "sqlite",
      path: `${dir}/online/store.db`,
    });
    await Deno.writeTextFile(path, "online_store:\n  type: dynamodb\n  region: local\n  endpoint: http://h:1\n");
    const config = await loadConfig({ path, env: {} });
    assertEquals(config.online_store.type === "dynamodb" && config.online_store.endpoint, "http://h:1");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
