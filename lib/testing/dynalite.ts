/**
 * A real DynamoDB-compatible server for tests: the npm `dynalite` (DynamoDB's API over an in-memory LevelDB) on
 * 127.0.0.1 with tables ACTIVE at once, run in a child Deno process (dynalite_server.ts), so that the tests need
 * `--allow-run` but not `--allow-ffi` for LevelDB's native addon, and the server has a CPU of its own. Without
 * `--allow-run` it runs in-process (then `--allow-ffi` is needed).
 *
 * A test file asks once at its top: `const dynamo = await requireDynalite();` and passes
 * `ignore: !dynamo.available` to `Deno.test`. When the server cannot start (the package is missing, it fails to
 * load), the tests are skipped with a loud message, except in CI (`CI=true`), where that is an error.
 *
 * @example
 * ```ts
 * import { startDynalite } from "./dynalite.ts";
 * import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
 * const server = await startDynalite();
 * const client = new DynamoDBClient(server.clientConfig);
 * console.log(await client.send(new ListTablesCommand({})));
 * client.destroy();
 * await server.close();
 * ```
 * @module
 */

/** Options of {@linkcode startDynalite}. */
export interface StartDynaliteOptions {
  /** Milliseconds tables stay CREATING / DELETING / UPDATING (default 0: at once, like a fast DynamoDB). */
  tableStateMs?: number;
  /** A child Deno process (default) or this process. */
  mode?: "process" | "in-process";
}

/** A running test DynamoDB server. */
export interface DynaliteServer {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Region the clients use (any string works with dynalite). */
  region: string;
  /** Credentials the clients use (dynalite checks none, but the SDK signs requests). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The same as a DynamoDB client configuration. */
  clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** AWS environment variables that point the standard settings at this server. */
  env: Record<string, string>;
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Starts dynalite on 127.0.0.1 with a random free port and an in-memory store.
 *
 * @example
 * ```ts
 * const server = await startDynalite();
 * console.log(server.endpoint, server.env.AWS_ENDPOINT_URL_DYNAMODB);
 * await server.close();
 * ```
 */
export async function startDynalite(opts: StartDynaliteOptions = {}): Promise<DynaliteServer> {
  const ms = opts.tableStateMs ?? 0;
  let port: number;
  let stop: () => Promise<void>;
  try {
    ({ port, stop } = opts.mode === "in-process" ? await inProcess(ms) : await childProcess(ms));
  } catch (err) {
    throw new Error(`Cannot start dynalite: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const region = "us-east-1";
  const credentials = { accessKeyId: "DYNALITE", secretAccessKey: "DYNALITE" };
  let closed: Promise<void> | undefined;
  return {
    endpoint,
    region,
    credentials,
    clientConfig: { endpoint, region, credentials },
    env: {
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    close() {
      closed ??= stop();
      return closed;
    },
  };
}

async function childProcess(tableStateMs: number): Promise<{ port: number; stop: () => Promise<void> }> {
  const script = new URL("./dynalite_server.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-env",
      "--allow-sys",
      "--allow-ffi",
      script,
      String(tableStateMs),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdin = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("no port after 30 s")), 30_000);
    });
    while (!text.includes("\n")) {
      const { value, done } = await Promise.race([lines.read(), timeout]);
      if (done) break;
      text += value;
    }
  } finally {
    clearTimeout(timer);
  }
  const port = text.includes("\n") ? (JSON.parse(text.split("\n")[0]) as { port: number }).port : 0;
  if (!port) {
    const stderr = await new Response(child.stderr).text().catch(() => "");
    await lines.cancel().catch(() => {});
    await stdin.close().catch(() => {});
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    throw new Error(stderr.trim().split("\n").slice(-3).join(" ") || "the server printed no port");
  }
  return {
    port,
    async stop() {
      await lines.cancel().catch(() => {});
      await child.stderr.cancel().catch(() => {});
      await stdin.close().catch(() => {}); // the server exits when its stdin closes
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }, 3000);
      await child.status;
      clearTimeout(timer);
    },
  };
}

interface NodeServer {
  listen(port: number, host: string, cb: () => void): void;
  once(event: "error", cb: (err: Error) => void): void;
  address(): { port: number } | string | null;
  close(cb: (err?: Error) => void): void;
}

async function inProcess(tableStateMs: number): Promise<{ port: number; stop: () => Promise<void> }> {
  const mod = await import("dynalite");
  const dynalite = (mod.default ?? mod) as unknown as (o: Record<string, unknown>) => NodeServer;
  const ms = tableStateMs;
  const server = dynalite({ createTableMs: ms, deleteTableMs: ms, updateTableMs: ms });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A shared server for a test file, or why there is none. */
export interface DynaliteForTests {
  available: boolean;
  /** The server (when available); it stops when the test process ends. */
  server?: DynaliteServer;
  /** Why it is not available. */
  reason?: string;
}

let shared: Promise<DynaliteForTests> | undefined;

/**
 * One dynalite server shared by the tests of a process, started on first call. When it cannot start: a loud
 * warning and `available: false`, or, in CI (`CI=true`), an error.
 *
 * @example
 * ```ts
 * const dynamo = await requireDynalite();
 * Deno.test({ name: "writes to DynamoDB", ignore: !dynamo.available, fn: () => {} });
 * ```
 */
export function requireDynalite(): Promise<DynaliteForTests> {
  shared ??= (async () => {
    try {
      // a child process (it exits with this process, when its stdin closes); in-process where this process may not
      // run deno (which then needs --allow-ffi for dynalite's native LevelDB binding)
      const canRun = (await Deno.permissions.query({ name: "run", command: Deno.execPath() })).state === "granted";
      const server = await startDynalite({ mode: canRun ? "process" : "in-process" });
      return { available: true, server };
    } catch (err) {
      const reason = (err as Error).message;
      if (Deno.env.get("CI") === "true") throw new Error(`${reason}; CI requires it`, { cause: err });
      console.warn(
        `\n!!! SKIPPING DYNAMODB TESTS: ${reason}. Run "sh tools/ensure_deps.sh" to install dynalite. !!!\n`,
      );
      return { available: false, reason };
    }
  })();
  return shared;
}
