/**
 * `deno task serve [--host H] [--port P] [--model champion|N] [--name NAME] [--as-of ISO] [--drift-report DIR]`:
 * the online decision server.
 *
 * `POST /get-online-features` (Feast's request and response JSON), `POST /score` (a loan application scored by the
 * registered model with features from the online store), `GET /health`, the loan application page `GET /` and the
 * monitoring page `GET /monitoring` (champion metrics and the drift report in `--drift-report DIR`, default
 * `reports/drift`). Bind address and port also from
 * `SERVE_HOST` / `SERVE_PORT` (default 127.0.0.1:6566). `--as-of` fixes the clock feature ages are measured against
 * (to replay historical data; default now). SIGINT/SIGTERM: stop accepting, finish in-flight requests,
 * close the stores.
 *
 * @module
 */
import { intFlag, parseTaskArgs, runTask, UsageError } from "../lib/cli/mod.ts";
import { startDecisionServer } from "../lib/serving/decision_server.ts";
import { openRepoFlag } from "../lib/repo/load.ts";
import { cpuIdleNote, readCpuIdle } from "../lib/serving/cpu_idle.ts";

const USAGE =
  "deno task serve [--repo DIR] [--host H] [--port P] [--model champion|N] [--name NAME] [--as-of ISO] [--drift-report DIR] [--shutdown-deadline MS]";

if (import.meta.main) {
  await runTask(async () => {
    const { values } = parseTaskArgs(Deno.args, {
      usage: USAGE,
      options: {
        repo: { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        model: { type: "string" },
        name: { type: "string" },
        "as-of": { type: "string" },
        "drift-report": { type: "string" },
        "shutdown-deadline": { type: "string" },
      },
    });
    if (values.help) return void console.log(`usage: ${USAGE}`);
    const hostname = String(values.host ?? Deno.env.get("SERVE_HOST") ?? "127.0.0.1");
    const port = intFlag({ port: values.port ?? Deno.env.get("SERVE_PORT") }, "port", {
      min: 0,
      max: 65535,
      fallback: 6566,
    });
    const shutdownDeadlineMs = intFlag(values, "shutdown-deadline", { min: 0, max: 3_600_000, fallback: 10_000 });
    const modelText = values.model === undefined ? "champion" : String(values.model);
    const model = /^\d+$/.test(modelText) ? { version: Number(modelText) } : { alias: modelText };
    let asOf: Date | undefined;
    if (values["as-of"] !== undefined) {
      asOf = new Date(String(values["as-of"]));
      if (Number.isNaN(asOf.getTime())) {
        throw new UsageError(`Flag "--as-of" is "${values["as-of"]}"; expected an ISO date`, USAGE);
      }
    }
    if (values["drift-report"] !== undefined && String(values["drift-report"]).trim() === "") {
      throw new UsageError(`Flag "--drift-report" is empty; expected a folder such as reports/drift`, USAGE);
    }
    const repo = await openRepoFlag(values.repo as string | undefined);
    const server = await startDecisionServer({
      repo,
      asOf,
      hostname,
      port,
      model,
      name: values.name === undefined ? undefined : String(values.name),
      driftReportDir: values["drift-report"] === undefined ? undefined : String(values["drift-report"]),
    });
    console.log(
      `Serving on http://${server.addr.hostname}:${server.addr.port} (model version ${
        server.modelVersion ?? "none"
      }); ` +
        `${repo.model.subject ?? "application"} page at /, monitoring at /monitoring (repo ${repo.dir}); Ctrl-C stops`,
    );
    const idleNote = cpuIdleNote(readCpuIdle()); // idle vCPUs that halt at once make the latency tail
    if (idleNote) console.warn(idleNote);
    let closing: Promise<void> | undefined;
    const stop = () => {
      if (closing) return;
      console.log("Shutting down: finishing in-flight requests");
      closing = server.close();
      // a client holding a half-sent request must not keep the server alive: after the deadline, exit anyway
      const deadline = setTimeout(() => {
        console.error(
          `Shutdown deadline of ${shutdownDeadlineMs} ms passed with requests still open; exiting ` +
            `(--shutdown-deadline MS to wait longer)`,
        );
        Deno.exit(0);
      }, shutdownDeadlineMs);
      Deno.unrefTimer(deadline);
    };
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
    await server.finished;
    await closing;
    Deno.removeSignalListener("SIGINT", stop);
    Deno.removeSignalListener("SIGTERM", stop);
  });
}
