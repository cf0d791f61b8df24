/**
 * The dynalite child process of dynalite.ts: starts dynalite on 127.0.0.1 (a free port, in-memory store, tables
 * ACTIVE at once), prints `{"port": N}` on one line, and exits when its standard input closes (so it never
 * outlives the test process that started it).
 *
 * Run as `deno run --allow-net=127.0.0.1 --allow-read --allow-env --allow-sys --allow-ffi dynalite_server.ts
 * [tableStateMs]`; dynalite loads LevelDB's native addon (classic-level), hence `--allow-ffi` here and not in the
 * tests.
 *
 * @example
 * ```ts
 * // see startDynalite in ./dynalite.ts
 * ```
 * @module
 */
import dynalite from "dynalite";

interface NodeServer {
  listen(port: number, host: string, cb: () => void): void;
  once(event: "error", cb: (err: Error) => void): void;
  address(): { port: number } | string | null;
  close(cb: (err?: Error) => void): void;
}

if (import.meta.main) {
  const ms = Number(Deno.args[0] ?? 0);
  const server = (dynalite as unknown as (o: Record<string, unknown>) => NodeServer)({
    createTableMs: ms,
    deleteTableMs: ms,
    updateTableMs: ms,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 }));
  for await (const _ of Deno.stdin.readable) { /* until the parent closes our stdin */ }
  server.close(() => Deno.exit(0));
  setTimeout(() => Deno.exit(0), 2000);
}
