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
 * At start the server checks its clock against the online store ({@link staleStoreWarning}): from the registry's
 * materialized intervals, a view whose newest materialized end is older than its ttl at the server's clock holds only
 * rows past their ttl (every stored row's event time is at most that end). When such views hold most of the stored
 * features it warns, naming them and the fix (`--as-of` for historical data, or a fresh materialization): `/score`
 * would refer every request (the spec's `maxStaleShare`).
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
import type { FeatureRepo } from "../feature_store/definitions.ts";
import { loadRegistry, type Registry } from "../feature_store/registry.ts";
import { FeatureStore } from "../feature_store/feature_store.ts";
import { loadModel, type ModelScorer } from "../model/scorer.ts";
import { getVersion } from "../model/registry.ts";
import { type OpenedRepo, openRepo } from "../repo/load.ts";
import { requestRules } from "../repo/request.ts";
import { scoreHandler } from "./score_endpoint.ts";
import { HttpError } from "./http.ts";
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
  try {
    const registry = await loadRegistry(config.registry, { project: config.project, s3: io.s3 });
    const warning = staleStoreWarning({ registry, repo: repo.features, clock: opts.asOf ?? new Date() });
    if (warning) log(`Warning: ${warning}`);
  } catch (err) {
    log(`Warning: could not check the online store's feature ages (${(err as Error).message})`);
  }
  let score;
  try {
    score = scorer
      ? await scoreHandler({ store, scorer, spec: repo.model, modelName: name, asOf: opts.asOf, where: repo.module })
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
  // readiness: the online store answers and still holds what was materialized (its views' epoch markers are those
  // the registry recorded: a store restarted empty would otherwise score everyone as a thin file, silently)
  const storeCheck = () =>
    onlineStoreCheck({ store, repo: repo.features, registryUri: config.registry, project: config.project, io });
  let lost: string | null = null;
  let lastCheck = 0;
  const guardedScore = score
    ? async (body: Record<string, unknown>) => {
      if (Date.now() - lastCheck > STORE_CHECK_INTERVAL_MS) {
        lastCheck = Date.now();
        const c = await storeCheck();
        lost = c.ok ? null : c.detail;
      }
      if (lost) throw new HttpError(503, `Not scoring: ${lost}`);
      return await score(body);
    }
    : undefined;
  const handler = createHandler({
    routes,
    store,
    score: guardedScore,
    ready: async () => {
      const c = await storeCheck();
      lastCheck = Date.now();
      lost = c.ok ? null : c.detail;
      return {
        ready: c.ok && scorer !== undefined,
        checks: { online_store: c.ok ? "ok" : c.detail, model: scorer ? `version ${scorer.version}` : "none loaded" },
      };
    },
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

function days(seconds: number): string {
  const d = seconds / 86400;
  return Number.isInteger(d) ? `${d}d` : `${Math.round(seconds / 3600)}h`;
}

/**
 * The warning `deno task serve` prints when most stored features are past their view's ttl at the server's clock,
 * or null. A view counts as stale when its newest materialized interval ends more than its ttl before `clock` (then
 * every row it stored is past its ttl); views without a ttl never are; views never materialized are not counted.
 * Features are weighted by count (a view of 10 features weighs 10). The fix named is `--as-of` just after the
 * newest materialized end (replaying historical data) or materializing fresh features.
 *
 * @example
 * ```ts
 * staleStoreWarning({ registry, repo, clock: new Date("2026-01-01") });
 * // "14 of 15 stored features (views credit_history, zipcode_features) are older than their ttl at ..."
 * ```
 */
export function staleStoreWarning(opts: { registry: Registry; repo: FeatureRepo; clock: Date }): string | null {
  const clock = opts.clock.getTime();
  let total = 0, stale = 0, newest = -Infinity;
  const staleViews: string[] = [];
  for (const view of opts.repo.views) {
    if (!view.online) continue;
    const intervals = opts.registry.materialization_intervals[view.name] ?? [];
    if (!intervals.length) continue;
    const end = Math.max(...intervals.map((i) => Date.parse(i.end)));
    if (!Number.isFinite(end)) continue;
    newest = Math.max(newest, end);
    total += view.schema.length;
    if (view.ttlSeconds > 0 && clock - end > view.ttlSeconds * 1000) {
      stale += view.schema.length;
      staleViews.push(`${view.name} (ttl ${days(view.ttlSeconds)}, materialized up to ${new Date(end).toISOString()})`);
    }
  }
  if (total === 0 || stale / total <= 0.5) return null;
  return `${stale} of ${total} stored features are older than their view's ttl at the server's clock ` +
    `${opts.clock.toISOString()}: ${staleViews.join(", ")}. /score will refer such applications instead of ` +
    `deciding them (maxStaleShare). To replay historical data start with --as-of ${new Date(newest).toISOString()}; ` +
    `otherwise materialize fresh features (deno task materialize-incremental <now>).`;
}

/** How often `/score` re-checks that the online store still holds what was materialized. */
export const STORE_CHECK_INTERVAL_MS = 5_000;

/**
 * Whether the online store answers (within 2 s) and still holds what was materialized: each materialized view's
 * epoch marker (see `OnlineStore.epoch`) must be the one the registry recorded with its last interval; a missing or
 * different marker means the store lost its rows (a Redis restart without persistence, FLUSHALL, a deleted table).
 */
export async function onlineStoreCheck(opts: {
  store: FeatureStore;
  repo: FeatureRepo;
  registryUri: string;
  project: string;
  io: { s3?: ReturnType<typeof toS3Options> };
}): Promise<{ ok: boolean; detail: string }> {
  let registry: Registry;
  try {
    registry = await loadRegistry(opts.registryUri, { project: opts.project, s3: opts.io.s3 });
  } catch (err) {
    return { ok: false, detail: `the registry cannot be read (${(err as Error).message})` };
  }
  const online = opts.store.onlineStore();
  const lostViews: string[] = [];
  try {
    for (const view of opts.repo.views) {
      const last = (registry.materialization_intervals[view.name] ?? []).at(-1);
      if (!last?.epoch) continue;
      const epoch = await withTimeout(online.epoch(view), 2_000, `the online store (${online.location})`);
      if (epoch.id !== last.epoch) lostViews.push(view.name);
    }
  } catch (err) {
    return {
      ok: false,
      detail: `the online store ${online.type} at ${online.location} does not answer (${(err as Error).message})`,
    };
  }
  if (lostViews.length) {
    return {
      ok: false,
      detail: `the online store ${online.type} at ${online.location} lost the rows of ${lostViews.join(", ")} since ` +
        `they were materialized (its epoch marker changed); run deno task materialize-incremental to restore them`,
    };
  }
  return { ok: true, detail: "ok" };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
