/**
 * `deno task serve [--host H] [--port P] [--model champion|N] [--name NAME]`: the online decision server.
 *
 * `POST /get-online-features` (Feast's request and response JSON), `POST /score` (a loan application scored by the
 * registered model with features from the online store), `GET /health`. Bind address and port also from
 * `SERVE_HOST` / `SERVE_PORT` (default 127.0.0.1:6566). `--as-of` fixes the clock feature ages are measured against
 * (to replay historical data; default now). SIGINT/SIGTERM: stop accepting, finish in-flight requests,
 * close the stores.
 *
 * @module
 */
import { intFlag, parseTaskArgs, runTask, UsageError } from "../lib/cli/mod.ts";
import { type FeatureStoreConfig, loadConfig, toS3Options } from "../lib/feature_store/config.ts";
import { FeatureStore } from "../lib/feature_store/feature_store.ts";
import { CREDIT_MODEL_DEFAULTS, creditTrainingSource } from "../lib/credit/model_spec.ts";
import { creditScoreHandler } from "../lib/credit/score_endpoint.ts";
import { type CreditScorer, loadModel } from "../lib/model/train.ts";
import { getVersion } from "../lib/model/registry.ts";
import { createHandler, type RunningServer, startServer } from "../lib/serving/server.ts";
import { creditRepo } from "../lib/credit/repo.ts";

const USAGE = "deno task serve [--host H] [--port P] [--model champion|N] [--name NAME] [--as-of ISO]";

/** A started decision server with its stores (for the demo, tests and benchmarks). */
export interface DecisionServer extends RunningServer {
  store: FeatureStore;
  modelVersion: number | null;
  /** Shuts the server down and closes the stores. */
  close(): Promise<void>;
}

/**
 * Opens the stores, loads the model (when one is registered) and starts the server.
 *
 * @example
 * ```ts
 * const server = await startDecisionServer({ hostname: "127.0.0.1", port: 0 });
 * await fetch(`http://127.0.0.1:${server.addr.port}/health`);
 * await server.close();
 * ```
 */
export async function startDecisionServer(opts: {
  hostname: string;
  port: number;
  model?: { alias: string } | { version: number };
  name?: string;
  log?: (line: string) => void;
  /** A ready configuration (default: loaded as usual). */
  config?: FeatureStoreConfig;
  /** Clock for feature ages (default now): replays historical data such as the generated 2020–2021 loans. */
  asOf?: Date;
}): Promise<DecisionServer> {
  const log = opts.log ?? console.log;
  const config = opts.config ?? (await loadConfig());
  const io = { s3: toS3Options(config.s3) };
  const name = opts.name ?? CREDIT_MODEL_DEFAULTS.name;
  let scorer: CreditScorer | undefined;
  let repo = creditRepo({ dataDir: config.data_dir });
  try {
    const version = await getVersion({ root: config.model_store, name, ...(opts.model ?? { alias: "champion" }), io });
    repo = creditTrainingSource(version.tags.data === "real" ? "real" : "generated", { dataDir: config.data_dir }).repo;
    scorer = await loadModel({ root: config.model_store, name, version: version.version, io });
  } catch (err) {
    log(`No model loaded (${(err as Error).message}); POST /score answers 503 until one is registered`);
  }
  const store = await FeatureStore.open({ config, repo });
  const online = store.onlineStore();
  const handler = createHandler({
    store,
    score: scorer ? creditScoreHandler({ store, scorer, modelName: name, asOf: opts.asOf }) : undefined,
    asOf: opts.asOf,
    health: () => ({
      online_store: config.online_store.type,
      model: scorer ? { name, version: scorer.version } : null,
      as_of: opts.asOf?.toISOString() ?? "now",
    }),
  });
  const server = startServer({ hostname: opts.hostname, port: opts.port, handler });
  return {
    ...server,
    store,
    modelVersion: scorer?.version ?? null,
    async close() {
      await server.shutdown();
      scorer?.dispose();
      await online.close();
      await store.close();
    },
  };
}

if (import.meta.main) {
  await runTask(async () => {
    const { values } = parseTaskArgs(Deno.args, {
      usage: USAGE,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        model: { type: "string" },
        name: { type: "string" },
        "as-of": { type: "string" },
      },
    });
    if (values.help) return void console.log(`usage: ${USAGE}`);
    const hostname = String(values.host ?? Deno.env.get("SERVE_HOST") ?? "127.0.0.1");
    const port = intFlag({ port: values.port ?? Deno.env.get("SERVE_PORT") }, "port", {
      min: 0,
      max: 65535,
      fallback: 6566,
    });
    const modelText = values.model === undefined ? "champion" : String(values.model);
    const model = /^\d+$/.test(modelText) ? { version: Number(modelText) } : { alias: modelText };
    let asOf: Date | undefined;
    if (values["as-of"] !== undefined) {
      asOf = new Date(String(values["as-of"]));
      if (Number.isNaN(asOf.getTime())) {
        throw new UsageError(`Flag "--as-of" is "${values["as-of"]}"; expected an ISO date`, USAGE);
      }
    }
    const server = await startDecisionServer({
      asOf,
      hostname,
      port,
      model,
      name: values.name === undefined ? undefined : String(values.name),
    });
    console.log(
      `Serving on http://${server.addr.hostname}:${server.addr.port} (model version ${
        server.modelVersion ?? "none"
      }); ` +
        `Ctrl-C stops`,
    );
    let closing: Promise<void> | undefined;
    const stop = () => {
      if (closing) return;
      console.log("Shutting down: finishing in-flight requests");
      closing = server.close();
    };
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
    await server.finished;
    await closing;
    Deno.removeSignalListener("SIGINT", stop);
    Deno.removeSignalListener("SIGTERM", stop);
  });
}
