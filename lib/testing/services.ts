/**
 * Finding (and starting) the real services tests need: Redis and PostgreSQL on 127.0.0.1.
 *
 * A test file asks once at its top: `const redis = await requireService("redis");` and passes
 * `ignore: !redis.available` to `Deno.test`. When a service is unreachable and cannot be started, the test is
 * skipped with a loud message, except in CI (`CI=true`), where that is an error.
 *
 * @example
 * ```ts
 * import { requireService } from "./services.ts";
 * const redis = await requireService("redis");
 * Deno.test({ name: "writes to Redis", ignore: !redis.available, fn: () => {} });
 * ```
 * @module
 */

/** The services a test may need. */
export type ServiceName = "redis" | "postgres";

/** Where a service is, and whether it answered. */
export interface ServiceInfo {
  name: ServiceName;
  host: string;
  port: number;
  available: boolean;
  /** Why it is not available (when it is not). */
  reason?: string;
}

const DEFAULTS: Record<ServiceName, { port: number; env: string; start: string[][] }> = {
  redis: {
    port: 6379,
    env: "REDIS_PORT",
    start: [[
      "redis-server",
      "--daemonize",
      "yes",
      "--bind",
      "127.0.0.1",
      "--port",
      "6379",
      "--save",
      "",
      "--appendonly",
      "no",
    ]],
  },
  postgres: {
    port: 5432,
    env: "PGPORT",
    start: [["sh", "-c", "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -1) main start"]],
  },
};

const cache = new Map<ServiceName, Promise<ServiceInfo>>();

/** True when a TCP connection to host:port succeeds within `timeoutMs`. */
export async function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const conn = await Promise.race([
      Deno.connect({ hostname: host, port }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
      }),
    ]);
    conn.close();
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Finds a service on 127.0.0.1 (port from `REDIS_PORT`/`PGPORT` or the default), starting it when it is down and
 * its server is installed. Outside CI an unreachable service gives `available: false` and a loud warning; in CI it
 * throws.
 *
 * @example
 * ```ts
 * const pg = await requireService("postgres");
 * if (pg.available) console.log(`PostgreSQL at ${pg.host}:${pg.port}`);
 * ```
 */
export function requireService(name: ServiceName): Promise<ServiceInfo> {
  let found = cache.get(name);
  if (!found) {
    found = locate(name);
    cache.set(name, found);
  }
  return found;
}

async function locate(name: ServiceName): Promise<ServiceInfo> {
  const spec = DEFAULTS[name];
  const host = "127.0.0.1";
  const port = Number(Deno.env.get(spec.env) ?? spec.port);
  if (await canConnect(host, port)) return { name, host, port, available: true };
  if (port === spec.port) {
    for (const cmd of spec.start) {
      try {
        await new Deno.Command(cmd[0], { args: cmd.slice(1), stdout: "null", stderr: "null" }).output();
      } catch { /* not installed */ }
    }
    for (let i = 0; i < 20; i++) {
      if (await canConnect(host, port)) return { name, host, port, available: true };
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const reason = `${name} is not reachable at ${host}:${port} and could not be started`;
  if (Deno.env.get("CI") === "true") throw new Error(`${reason}; CI requires it`);
  console.warn(`\n!!! SKIPPING ${name.toUpperCase()} TESTS: ${reason}. Start it to run them. !!!\n`);
  return { name, host, port, available: false, reason };
}

/** A redis-server of a test's own (no persistence), on a free port; see {@link startThrowawayRedis}. */
export interface ThrowawayRedis {
  host: string;
  port: number;
  /** Kills the server (SIGKILL: with no persistence its data is gone). */
  stop(): Promise<void>;
  /** Kills it and starts an empty one on the same port. */
  restartEmpty(): Promise<void>;
}

/**
 * Whether `redis-server` is installed. Outside CI a missing one warns loudly (callers then skip their tests); in
 * CI (`CI=true`) it throws.
 *
 * @example
 * ```ts
 * const hasRedisServer = await redisServerInstalled("REDIS RESTART TESTS");
 * ```
 */
export async function redisServerInstalled(what = "THROWAWAY REDIS TESTS"): Promise<boolean> {
  const ok = await new Deno.Command("redis-server", { args: ["--version"], stdout: "null", stderr: "null" }).output()
    .then((o) => o.success, () => false);
  if (!ok) {
    if (Deno.env.get("CI") === "true") throw new Error("redis-server is not installed; CI requires it");
    console.warn(`\n!!! SKIPPING ${what}: redis-server is not installed !!!\n`);
  }
  return ok;
}

/**
 * A free TCP port on 127.0.0.1 (the OS picks one; closed again at once).
 *
 * @example
 * ```ts
 * const port = freePort();
 * ```
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function spawnRedis(port: number): Promise<Deno.ChildProcess> {
  const child = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 50; i++) {
    if (await canConnect("127.0.0.1", port, 200)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  await child.status;
  throw new Error(`redis-server did not start on 127.0.0.1:${port}`);
}

/**
 * Starts a redis-server of the caller's own on a free port, without persistence (`--save "" --appendonly no`), so
 * that a test can kill it or restart it empty. Call `stop()` when done.
 *
 * @example
 * ```ts
 * const server = await startThrowawayRedis();
 * try {
 *   await server.restartEmpty();
 * } finally {
 *   await server.stop();
 * }
 * ```
 */
export async function startThrowawayRedis(port = freePort()): Promise<ThrowawayRedis> {
  let child: Deno.ChildProcess | undefined = await spawnRedis(port);
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c) return;
    try {
      c.kill("SIGKILL");
    } catch { /* already gone */ }
    await c.status;
  };
  return {
    host: "127.0.0.1",
    port,
    stop,
    restartEmpty: async () => {
      await stop();
      child = await spawnRedis(port);
    },
  };
}
