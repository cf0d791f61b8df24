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
