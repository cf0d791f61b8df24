/**
 * The decision server of a repo: opens the feature store (online store from the repo's settings), loads the
 * registered model (the champion by default) and serves `/score`, `/get-online-features` and `/health`
 * (./server.ts), the request form `/` (the repo's own page, else a form built from its request fields: ./form.ts)
 * and the monitoring page `/monitoring` (./monitoring.ts). `deno task serve`, the demo and `bench serve` all start it
 * through {@link startDecisionServer}.
 *
 * A model whose inputs the repo cannot provide (neither a request field nor a feature of a view) is refused at
 * start with the input named, never scored with nulls.
 *
 * @example
 * ```ts
 * import { startDecisionServer } from "./decision_server.ts";
 * const server = await startDecisionServer({ repo: await openRepo(), hostname: "127.0.0.1", port: 0 });
 * await server.close();
 * ```
 * @module
 */
import { toS3Options } from "../feature_store/config.ts";
import { FeatureStore } from "../feature_store/feature_store.ts";
import { loadModel, type ModelScorer } from "../model/scorer.ts";
import { getVersion } from "../model/registry.ts";
import { type OpenedRepo, openRepo } from "../repo/load.ts";
import { requestRules } from "../repo/request.ts";
import { scoreHandler } from "./score_endpoint.ts";
import { createHandler, type RunningServer, startServer } from "./server.ts";
import { assetRoutes } from "./pages.ts";
import { formPageRoutes } from "./form.ts";
import { DEFAULT_DRIFT_REPORT_DIR, monitoringRoutes } from "./monitoring.ts";

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
  /** The repo (default: {@link openRepo}, with `config` when given). */
  repo?: OpenedRepo;
  model?: { alias: string } | { version: number };
  name?: string;
  log?: (line: string) => void;
  /** A ready configuration for the default repo (tests). */
  config?: OpenedRepo["config"];
  /** Clock for feature ages (default now): replays historical data such as the generated 2020–2021 loans. */
  asOf?: Date;
  /** Folder or `s3://` prefix of the drift report shown on `/monitoring` (default `reports/drift`). */
  driftReportDir?: string;
}): Promise<DecisionServer> {
  const log = opts.log ?? console.log;
  const repo = opts.repo ?? (await openRepo({ config: opts.config }));
  const config = repo.config;
  const io = { s3: toS3Options(config.s3) };
  const name = opts.name ?? repo.model.name;
  let scorer: ModelScorer | undefined;
  try {
    const version = await getVersion({ root: config.model_store, name, ...(opts.model ?? { alias: "champion" }), io });
    scorer = await loadModel({ root: config.model_store, name, version: version.version, io });
  } catch (err) {
    log(`No model loaded (${(err as Error).message}); POST /score answers 503 until one is registered`);
  }
  const store = await FeatureStore.open({ config, repo: repo.features });
  let score;
  try {
    score = scorer
      ? scoreHandler({ store, scorer, spec: repo.model, modelName: name, asOf: opts.asOf, where: repo.module })
      : undefined;
  } catch (err) {
    scorer?.dispose();
    await store.close();
    throw err;
  }
  const rules = scorer?.preprocessor.spec.rules ?? repo.featureSpec.rules;
  const page = repo.pages ? await repo.pages({ repo: repo.features, rules }) : await formPageRoutes(
    requestRules(repo.model, {
      repo: repo.features,
      rules,
      model: scorer ? { name, version: scorer.version } : null,
    }),
  );
  const routes = {
    ...(await assetRoutes()),
    ...page,
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
    score,
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
