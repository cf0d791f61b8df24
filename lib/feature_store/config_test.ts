import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "@std/assert";
import { ConfigError, DEFAULT_CONFIG, envOverrides, loadConfig, parseConfigText, resolveConfig } from "./config.ts";

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
    `"online_store.type"`,
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
