/**
 * The S3 client and its settings: explicit {@linkcode S3Options} over the standard AWS environment variables
 * (region, endpoint, path-style addressing, attempts per request), and one cached client per setting.
 *
 * @example
 * ```ts
 * import { resolveS3Settings, s3Client } from "./s3_client.ts";
 * const settings = resolveS3Settings({ endpoint: "http://127.0.0.1:4569" }); // path style, 3 attempts
 * const client = s3Client({ endpoint: "http://127.0.0.1:4569" });
 * ```
 * @module
 */
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

/** Static credentials for S3 (otherwise the SDK's default provider chain is used). */
export interface S3Credentials {
  /** The access key id. */
  accessKeyId: string;
  /** The secret access key (never printed). */
  secretAccessKey: string;
  /** An optional session token. */
  sessionToken?: string;
}

/** Explicit S3 settings; each one overrides the matching environment variable. */
export interface S3Options {
  /** Endpoint of an S3-compatible server, e.g. `http://127.0.0.1:4569`. */
  endpoint?: string;
  /** Region (default from AWS_REGION / AWS_DEFAULT_REGION, else `us-east-1`). */
  region?: string;
  /** Path-style addressing (default: true when an endpoint is set or AWS_S3_FORCE_PATH_STYLE=true). */
  forcePathStyle?: boolean;
  /** Static credentials; absent means the SDK default chain (env, profile, SSO, container, instance). */
  credentials?: S3Credentials;
  /** Attempts per request with the SDK's standard retry mode and backoff (default AWS_MAX_ATTEMPTS or 3). */
  maxAttempts?: number;
}

/** The S3 settings in force after applying explicit options over the environment. */
export interface S3Settings {
  /** Region. */
  region: string;
  /** Endpoint, if any. */
  endpoint?: string;
  /** Path-style addressing. */
  forcePathStyle: boolean;
  /** Attempts per request. */
  maxAttempts: number;
  /** Static credentials, if given explicitly. */
  credentials?: S3Credentials;
}

function env(name: string): string | undefined {
  try {
    const v = Deno.env.get(name);
    return v === undefined || v === "" ? undefined : v;
  } catch {
    return undefined; // no --allow-env: behave as if unset
  }
}

/**
 * Resolves S3 settings: explicit options first, then AWS_REGION / AWS_DEFAULT_REGION (default `us-east-1`),
 * AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, AWS_S3_FORCE_PATH_STYLE (forced on when an endpoint is set) and
 * AWS_MAX_ATTEMPTS (default 3).
 *
 * @example
 * ```ts
 * import { resolveS3Settings } from "./object_store.ts";
 * resolveS3Settings({ endpoint: "http://127.0.0.1:4569" }).forcePathStyle; // true
 * ```
 */
export function resolveS3Settings(opts: S3Options = {}): S3Settings {
  const region = opts.region ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ?? "us-east-1";
  const endpoint = opts.endpoint ?? env("AWS_ENDPOINT_URL_S3") ?? env("AWS_ENDPOINT_URL");
  const forcePathStyle = opts.forcePathStyle ??
    (endpoint !== undefined || (env("AWS_S3_FORCE_PATH_STYLE") ?? "").toLowerCase() === "true");
  const envAttempts = Number(env("AWS_MAX_ATTEMPTS"));
  const maxAttempts = opts.maxAttempts ?? (Number.isInteger(envAttempts) && envAttempts > 0 ? envAttempts : 3);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new Error(`S3 setting "maxAttempts" must be a positive integer, got "${maxAttempts}"`);
  }
  if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) {
    throw new Error(`S3 endpoint "${redactEndpoint(endpoint)}" must start with http:// or https://`);
  }
  return { region, endpoint, forcePathStyle, maxAttempts, credentials: opts.credentials };
}

/**
 * Removes any user info from an endpoint URL so it can be shown.
 *
 * @example
 * ```ts
 * import { redactEndpoint } from "./object_store.ts";
 * redactEndpoint("http://user:secret@127.0.0.1:4569"); // "http://127.0.0.1:4569"
 * ```
 */
export function redactEndpoint(endpoint: string): string {
  return endpoint.replace(/^(\w+:\/\/)[^@/]*@/, "$1");
}

function fingerprint(secret: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < secret.length; i++) h = Math.imul(h ^ secret.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}

const clients = new Map<string, S3Client>();

/** First backoff of a retried S3 request, in ms (then doubling, with jitter between half and all of it). */
export const S3_RETRY_BASE_MS = 250;
/** Longest backoff between two attempts, in ms. */
export const S3_RETRY_CAP_MS = 10_000;

/** The SDK's retry token, as the retry middleware reads it. */
interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
  getRetryCost(): number | undefined;
}

function retryToken(count: number): RetryToken {
  return { getRetryCount: () => count, getRetryDelay: () => 0, getRetryCost: () => undefined };
}

/**
 * Retries with a budget per request, not per client: the SDK's standard strategy draws every request's retries from
 * one bucket of 500 tokens per client (10 per connection error), so a burst of concurrent requests during a short
 * outage drained it and the next requests failed at once, whatever `maxAttempts` said. Here each request gets its
 * own `maxAttempts`, with exponential backoff (250 ms, doubling, capped at 10 s, jittered between half and all of
 * it): 6 attempts ride out an outage of about 4 s at least and 8 s at most. Client errors (4xx but throttling) are
 * not retried.
 *
 * @example
 * ```ts
 * const strategy = new PerRequestRetryStrategy(6);
 * ```
 */
export class PerRequestRetryStrategy {
  readonly mode = "standard";
  /** @param attempts Attempts per request (the first included). @param baseMs First backoff. @param capMs Longest. */
  constructor(readonly attempts: number, readonly baseMs = S3_RETRY_BASE_MS, readonly capMs = S3_RETRY_CAP_MS) {}
  /** The backoff before retry number `n` (from 0), jittered. */
  delay(n: number, random: () => number = Math.random): number {
    const full = Math.min(this.capMs, this.baseMs * 2 ** n);
    return full / 2 + random() * full / 2;
  }
  acquireInitialRetryToken(_scope: string): Promise<RetryToken> {
    return Promise.resolve(retryToken(0));
  }
  async refreshRetryTokenForRetry(token: RetryToken, errorInfo: { errorType?: string }): Promise<RetryToken> {
    const n = token.getRetryCount();
    if (n + 1 >= this.attempts || errorInfo.errorType === "CLIENT_ERROR") {
      throw new Error("No retry token available");
    }
    await new Promise((r) => setTimeout(r, this.delay(n)));
    return retryToken(n + 1);
  }
  recordSuccess(_token: RetryToken): void {}
}

/**
 * Returns a cached S3 client for the resolved settings (retries per request: {@link PerRequestRetryStrategy}).
 *
 * @example
 * ```ts
 * import { s3Client } from "./object_store.ts";
 * const client = s3Client({ region: "eu-west-1" });
 * ```
 */
export function s3Client(opts: S3Options = {}): S3Client {
  const s = resolveS3Settings(opts);
  const c = s.credentials;
  const key = JSON.stringify([
    s.region,
    s.endpoint ?? null,
    s.forcePathStyle,
    s.maxAttempts,
    c ? [c.accessKeyId, fingerprint(c.secretAccessKey + "\0" + (c.sessionToken ?? ""))] : null,
  ]);
  let client = clients.get(key);
  if (!client) {
    const config: S3ClientConfig = {
      region: s.region,
      forcePathStyle: s.forcePathStyle,
      retryStrategy: new PerRequestRetryStrategy(s.maxAttempts) as unknown as S3ClientConfig["retryStrategy"],
      requestHandler: { connectionTimeout: 5_000 },
    };
    if (s.endpoint) {
      config.endpoint = s.endpoint;
      // S3-compatible servers often lack the newer flexible checksums; only send them when required.
      if (!env("AWS_REQUEST_CHECKSUM_CALCULATION")) config.requestChecksumCalculation = "WHEN_REQUIRED";
      if (!env("AWS_RESPONSE_CHECKSUM_VALIDATION")) config.responseChecksumValidation = "WHEN_REQUIRED";
    }
    if (c) config.credentials = { ...c };
    client = new S3Client(config);
    clients.set(key, client);
  }
  return client;
}

/**
 * Destroys every cached S3 client (closes their sockets). Tests call this before their server stops.
 *
 * @example
 * ```ts
 * import { closeS3Clients } from "./object_store.ts";
 * closeS3Clients();
 * ```
 */
export function closeS3Clients(): void {
  for (const client of clients.values()) client.destroy();
  clients.clear();
}
