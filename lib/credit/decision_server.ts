/**
 * The credit decision server: opens the feature store (online store from the configuration), loads the registered
 * model (the champion by default) and serves `/score`, `/get-online-features` and `/health` (lib/serving/server.ts),
 * the loan application page `/` (./pages.ts) and the monitoring page `/monitoring` (lib/serving/monitoring.ts).
 * `deno task serve`, the demo and `bench serve` all start it through {@link startDecisionServer}.
 *
 * @example
 * ```ts
 * import { startDecisionServer } from "./decision_server.ts";
 * const server = await startDecisionServer({ hostname: "127.0.0.1", port: 0 });
 * await server.close();
 * ```
 * @module
 */
import { type FeatureStoreConfig, loadConfig, toS3Options } from "../feature_store/config.ts";
import { FeatureStore } from "../feature_store/feature_store.ts";
import { CREDIT_MODEL_DEFAULTS, creditTrainingSource } from "./model_spec.ts";
import { creditScoreHandler } from "./score_endpoint.ts";
import { type CreditScorer, loadModel } from "../model/train.ts";
import { getVersion } from "../model/registry.ts";
import { createHandler, type RunningServer, startServer } from "../serving/server.ts";
import { assetRoutes } from "../serving/pages.ts";
import { DEFAULT_DRIFT_REPORT_DIR, monitoringRoutes } from "../serving/monitoring.ts";
import { creditRepo } from "./repo.ts";
import { applicationPageRoutes } from "./pages.ts";

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
  /** Folder or `s3://` prefix of the drift report shown on `/monitoring` (default `reports/drift`). */
  driftReportDir?: string;
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
  const routes = {
    ...(await assetRoutes()),
    ...(await applicationPageRoutes({ rules: scorer?.preprocessor.spec.rules, repo })),
    ...(await monitoringRoutes({
      root: config.model_store,
      name,
      io,
      driftReportDir: opts.driftReportDir ?? DEFAULT_DRIFT_REPORT_DIR,
      servedVersion: scorer?.version ?? null,
    })),
  };
  const handler = createHandler({
    routes,
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
      await store.close(); // closes the online store too
    },
  };
}
