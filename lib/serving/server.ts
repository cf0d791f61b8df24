/**
 * The decision server (`deno task serve`): Feast's `POST /get-online-features`, a `POST /score` handler supplied by
 * the application, `GET /health`; JSON bodies limited in size, field-naming 4xx answers, no stack traces to
 * clients, graceful shutdown (in-flight requests finish, then stores close).
 *
 * @example
 * ```ts
 * import { startServer } from "./server.ts";
 * const server = startServer({ hostname: "127.0.0.1", port: 6566, handler: createHandler({ store }) });
 * await server.shutdown();
 * ```
 * @module
 */
import type { FeatureRepo } from "../feature_store/definitions.ts";
import { OnlineStoreError } from "../feature_store/online/interface.ts";
import {
  type OnlineFeaturesRequest,
  type OnlineFeaturesResult,
  OnlineRequestError,
  toFeastResponse,
} from "../feature_store/online/get_online_features.ts";
import { errorResponse, HttpError, jsonResponse, readJsonBody } from "./http.ts";

/** What the server needs from the feature store. */
export interface ServingStore {
  repo: FeatureRepo;
  getOnlineFeatures(request: OnlineFeaturesRequest): Promise<OnlineFeaturesResult>;
}

/** Options of {@link createHandler}. */
export interface HandlerOptions {
  store: ServingStore;
  /** `POST /score`: takes the JSON body, returns the JSON answer (throw HttpError for 4xx). */
  score?: (body: Record<string, unknown>) => Promise<unknown>;
  /** Facts shown by `GET /health` (model version, online store type, ...). */
  health?: () => Record<string, unknown>;
  /** Largest accepted body in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /** A request body not fully received within this many ms is a 408 (default 10,000). */
  bodyTimeoutMs?: number;
  /**
   * `GET /ready` (readiness, beside `/health`'s liveness): the checks and whether all pass; 200 when ready, 503
   * otherwise. Without it `/ready` answers like `/health`.
   */
  ready?: () => Promise<{ ready: boolean; checks: Record<string, unknown> }>;
  /** Where internal errors are logged (default console.error). */
  log?: (line: string) => void;
  /** The clock feature ages are measured against (default now; a fixed time replays historical data). */
  asOf?: Date;
  /**
   * Extra routes (`"GET /"` → handler), e.g. pages; a key ending in `/*` (`"GET /monitoring/charts/*"`) matches
   * every path under that prefix (exact keys win). `HEAD` is answered by the `GET` route without the body.
   */
  routes?: Routes;
}

/** A route handler. */
export type RouteHandler = (request: Request) => Response | Promise<Response>;

/** Routes by `"METHOD /path"` (or `"METHOD /prefix/*"`). */
export type Routes = Record<string, RouteHandler>;

/**
 * The handler of `"METHOD /path"` in `routes`: the exact key, else the longest `"METHOD /prefix/*"` key the path
 * is under.
 *
 * @example
 * ```ts
 * import { matchRoute } from "./server.ts";
 * const routes = { "GET /charts/*": () => new Response("chart") };
 * matchRoute(routes, "GET", "/charts/roc.svg"); // the handler
 * ```
 */
export function matchRoute(routes: Routes, method: string, path: string): RouteHandler | undefined {
  const exact = routes[`${method} ${path}`];
  if (exact) return exact;
  let best: string | undefined;
  for (const key of Object.keys(routes)) {
    if (!key.endsWith("/*") || !key.startsWith(`${method} `)) continue;
    const prefix = key.slice(method.length + 1, -1);
    if (path.startsWith(prefix) && path.length > prefix.length && (!best || key.length > best.length)) best = key;
  }
  return best ? routes[best] : undefined;
}

/** Parses Feast's `/get-online-features` body into our request (400 naming the field when malformed). */
export function parseFeastRequest(body: Record<string, unknown>, repo: FeatureRepo): OnlineFeaturesRequest {
  const { features, feature_service: service, entities, full_feature_names: full } = body;
  let refs: OnlineFeaturesRequest["features"];
  if (service !== undefined) {
    if (typeof service !== "string") throw new HttpError(400, `Field "feature_service" must be a string`);
    const found = repo.services.find((s) => s.name === service);
    if (!found) {
      throw new HttpError(
        400,
        `Unknown feature service "${service}"; known: ${repo.services.map((s) => s.name).join(", ")}`,
      );
    }
    refs = found;
  } else {
    if (!Array.isArray(features) || features.length === 0 || features.some((f) => typeof f !== "string")) {
      throw new HttpError(400, `Field "features" must be a non-empty list of "view:feature" strings`);
    }
    refs = features as string[];
  }
  if (!entities || typeof entities !== "object" || Array.isArray(entities)) {
    throw new HttpError(400, `Field "entities" must be an object of join key → list of values`);
  }
  let length = -1;
  for (const [key, values] of Object.entries(entities)) {
    if (!Array.isArray(values)) throw new HttpError(400, `Field "entities.${key}" must be a list of values`);
    if (length >= 0 && values.length !== length) {
      throw new HttpError(400, `Field "entities.${key}" has ${values.length} values; the other keys have ${length}`);
    }
    length = values.length;
  }
  if (length <= 0) throw new HttpError(400, `Field "entities" must hold at least one entity row`);
  if (length > 1000) throw new HttpError(413, `Field "entities" has ${length} rows; at most 1000 per request`);
  if (full !== undefined && typeof full !== "boolean") {
    throw new HttpError(400, `Field "full_feature_names" must be true or false`);
  }
  return { features: refs, entities: entities as Record<string, unknown[]>, fullFeatureNames: full ?? false };
}

/**
 * The request handler.
 */
export function createHandler(opts: HandlerOptions): (request: Request) => Promise<Response> {
  const maxBytes = opts.maxBodyBytes ?? 64 * 1024;
  const bodyTimeoutMs = opts.bodyTimeoutMs ?? 10_000;
  const log = opts.log ?? console.error;
  return async (request) => {
    const started = performance.now();
    const response = await route(request);
    // time spent in this process, for clients and benchmarks (RFC: Server-Timing)
    response.headers.set("server-timing", `app;dur=${(performance.now() - started).toFixed(3)}`);
    return response;
  };

  async function route(request: Request): Promise<Response> {
    try {
      const url = new URL(request.url);
      const route = `${request.method} ${url.pathname}`;
      const head = request.method === "HEAD";
      const extra = opts.routes && matchRoute(opts.routes, head ? "GET" : request.method, url.pathname);
      if (extra) {
        const response = await extra(request);
        if (!head) return response;
        await response.body?.cancel();
        return new Response(null, { status: response.status, headers: response.headers });
      }
      switch (route) {
        case "GET /health":
          return jsonResponse({ status: "ok", ...(opts.health?.() ?? {}) });
        case "GET /ready": {
          if (!opts.ready) return jsonResponse({ status: "ready", checks: {} });
          const r = await opts.ready();
          return jsonResponse({ status: r.ready ? "ready" : "not ready", checks: r.checks }, r.ready ? 200 : 503, {
            "cache-control": "no-store",
          });
        }
        case "POST /get-online-features": {
          const body = await readJsonBody(request, { maxBytes, timeoutMs: bodyTimeoutMs });
          const parsed = { ...parseFeastRequest(body, opts.store.repo), asOf: opts.asOf };
          try {
            return jsonResponse(toFeastResponse(await opts.store.getOnlineFeatures(parsed)));
          } catch (err) {
            throw asHttpError(err);
          }
        }
        case "POST /score": {
          if (!opts.score) throw new HttpError(503, "No model is loaded; train one (deno task train) and restart");
          const body = await readJsonBody(request, { maxBytes, timeoutMs: bodyTimeoutMs });
          try {
            return jsonResponse(await opts.score(body));
          } catch (err) {
            throw asHttpError(err);
          }
        }
      }
      const known = [
        "GET /health",
        "GET /ready",
        "POST /get-online-features",
        "POST /score",
        ...Object.keys(opts.routes ?? {}),
      ];
      const methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"].filter((m) => m !== request.method);
      if (
        known.some((r) => r.endsWith(` ${url.pathname}`)) ||
        methods.some((m) => opts.routes && matchRoute(opts.routes, m, url.pathname))
      ) {
        throw new HttpError(405, `Method ${request.method} is not allowed on ${url.pathname}`);
      }
      throw new HttpError(404, `No route ${url.pathname}; routes: ${known.join(", ")}`);
    } catch (err) {
      return errorResponse(err, log);
    }
  }
}

/**
 * The HTTP error of a failure behind a route: a bad feature request is the client's (400); an online store that
 * cannot be reached or fails is a 503 naming it (the request may be retried later), never a 500.
 */
export function asHttpError(err: unknown): unknown {
  if (err instanceof OnlineRequestError) return new HttpError(400, err.message);
  if (err instanceof OnlineStoreError) {
    return new HttpError(503, `The online store is unavailable; try again later (${err.message})`);
  }
  return err;
}

/** A running server. */
export interface RunningServer {
  /** Where it listens. */
  addr: { hostname: string; port: number };
  /** Stops accepting, lets in-flight requests finish, then resolves. */
  shutdown(): Promise<void>;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
}

/**
 * Starts `Deno.serve` on `hostname:port` (port 0 = any free port).
 */
export function startServer(opts: {
  hostname: string;
  port: number;
  handler: (request: Request) => Promise<Response>;
  onListen?: (addr: { hostname: string; port: number }) => void;
}): RunningServer {
  const server = Deno.serve({
    hostname: opts.hostname,
    port: opts.port,
    onListen: () => {},
  }, opts.handler);
  const addr = server.addr as Deno.NetAddr;
  opts.onListen?.({ hostname: addr.hostname, port: addr.port });
  return {
    addr: { hostname: addr.hostname, port: addr.port },
    shutdown: () => server.shutdown(),
    finished: server.finished,
  };
}
