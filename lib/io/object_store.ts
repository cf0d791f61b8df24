/**
 * One object-store API over local files and S3.
 *
 * A URI is a local path (relative, absolute or `file://...`) or `s3://bucket/key`. Every write is atomic:
 * local files are written to a hidden temporary file in the target's directory and renamed into place; S3
 * objects are written with one PutObject, or for large bodies a multipart upload that is aborted on failure.
 *
 * The S3 client follows the standard AWS settings (see {@linkcode resolveS3Settings}); an explicit
 * {@linkcode S3Options} overrides them. Errors name the URI and never contain a secret.
 *
 * @example
 * ```ts
 * import { readBytes, writeBytes } from "./object_store.ts";
 * await writeBytes("/tmp/hello.txt", new TextEncoder().encode("hi"));
 * console.log(new TextDecoder().decode(await readBytes("/tmp/hello.txt")));
 * ```
 * @module
 */
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

/** A parsed URI: a local path or an S3 bucket and key. */
export type ParsedUri =
  | { scheme: "file"; path: string }
  | { scheme: "s3"; bucket: string; key: string };

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

/** Options shared by the object-store functions. */
export interface IoOptions {
  /** S3 settings that override the environment. */
  s3?: S3Options;
}

/** Options of {@linkcode writeBytes} and {@linkcode writeStream}. */
export interface WriteOptions extends IoOptions {
  /** Content type stored with an S3 object. */
  contentType?: string;
  /** Multipart part size in bytes for S3 (default 8 MiB, minimum 5 MiB). */
  partSize?: number;
}

/** One entry of {@linkcode list}. */
export interface ObjectInfo {
  /** The object's URI, in the same form as the listed prefix. */
  uri: string;
  /** Size in bytes. */
  size: number;
}

/** Thrown when an object or file does not exist. */
export class ObjectNotFoundError extends Error {
  /** The URI that was not found. */
  readonly uri: string;
  /**
   * @param uri The missing object's URI.
   * @param options Optional cause.
   */
  constructor(uri: string, options?: ErrorOptions) {
    super(`Object "${uri}" not found`, options);
    this.name = "ObjectNotFoundError";
    this.uri = uri;
  }
}

/** Thrown when an S3 bucket does not exist. */
export class BucketNotFoundError extends Error {
  /** The missing bucket. */
  readonly bucket: string;
  /**
   * @param bucket The bucket name.
   * @param options Optional cause.
   */
  constructor(bucket: string, options?: ErrorOptions) {
    super(`Bucket "${bucket}" does not exist`, options);
    this.name = "BucketNotFoundError";
    this.bucket = bucket;
  }
}

/** Thrown when the S3 endpoint cannot be reached at all (connection refused, DNS failure, timeout). */
export class S3UnreachableError extends Error {
  /** The endpoint (without any user info). */
  readonly endpoint: string;
  /**
   * @param endpoint The endpoint that could not be reached.
   * @param code The network error code, e.g. `ECONNREFUSED`.
   * @param options Optional cause.
   */
  constructor(endpoint: string, code: string, options?: ErrorOptions) {
    super(`Cannot reach S3 endpoint "${endpoint}" (${code})`, options);
    this.name = "S3UnreachableError";
    this.endpoint = endpoint;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// URIs

/**
 * Parses a URI into a local path or an S3 bucket and key.
 *
 * @example
 * ```ts
 * import { parseUri } from "./object_store.ts";
 * parseUri("s3://bucket/a/b.parquet"); // { scheme: "s3", bucket: "bucket", key: "a/b.parquet" }
 * parseUri("data/x.csv"); // { scheme: "file", path: "data/x.csv" }
 * ```
 */
export function parseUri(uri: string): ParsedUri {
  if (typeof uri !== "string" || uri.length === 0) throw new Error(`Invalid URI "${String(uri)}": empty`);
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(uri);
  if (!m) return { scheme: "file", path: uri };
  const scheme = m[1].toLowerCase();
  if (scheme === "file") {
    const url = new URL(uri);
    if (url.host && url.host !== "localhost") throw new Error(`Invalid URI "${uri}": file URIs must be local`);
    return { scheme: "file", path: decodeURIComponent(url.pathname) };
  }
  if (scheme === "s3" || scheme === "s3a") {
    const rest = uri.slice(m[0].length);
    const slash = rest.indexOf("/");
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const key = slash < 0 ? "" : rest.slice(slash + 1);
    if (!bucket) throw new Error(`Invalid URI "${uri}": no bucket`);
    return { scheme: "s3", bucket, key };
  }
  throw new Error(`Unsupported URI scheme "${scheme}" in "${uri}" (use a local path or s3://bucket/key)`);
}

/**
 * Joins path parts onto a base URI with `/`, keeping the base's scheme.
 *
 * @example
 * ```ts
 * import { joinUri } from "./object_store.ts";
 * joinUri("s3://b/runs/", "2024", "scores.parquet"); // "s3://b/runs/2024/scores.parquet"
 * joinUri("out", "a.csv"); // "out/a.csv"
 * ```
 */
export function joinUri(base: string, ...parts: string[]): string {
  let out = base;
  for (const raw of parts) {
    const part = raw.replace(/^\/+/, "");
    if (part === "") continue;
    out = out === "" ? part : out.endsWith("/") ? out + part : `${out}/${part}`;
  }
  return out;
}

/** The last path segment of a URI (its file name). */
export function baseName(uri: string): string {
  const trimmed = uri.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

function requireKey(uri: string, parsed: { bucket: string; key: string }): void {
  if (!parsed.key || parsed.key.endsWith("/")) throw new Error(`URI "${uri}" has no object key`);
}

// ---------------------------------------------------------------------------------------------------------------
// S3 client

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

/** Removes any user info from an endpoint URL so it can be shown. */
export function redactEndpoint(endpoint: string): string {
  return endpoint.replace(/^(\w+:\/\/)[^@/]*@/, "$1");
}

function fingerprint(secret: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < secret.length; i++) h = Math.imul(h ^ secret.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}

const clients = new Map<string, S3Client>();

/**
 * Returns a cached S3 client for the resolved settings (standard retry mode with backoff).
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
      maxAttempts: s.maxAttempts,
      retryMode: "standard",
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

/** Destroys every cached S3 client (closes their sockets). Tests call this before their server stops. */
export function closeS3Clients(): void {
  for (const client of clients.values()) client.destroy();
  clients.clear();
}

const NETWORK_CODES = [
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "TimeoutError",
];

function networkCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const o = e as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    for (const v of [o.code, o.name]) if (typeof v === "string" && NETWORK_CODES.includes(v)) return v;
    if (typeof o.message === "string") {
      const found = NETWORK_CODES.find((c) => (o.message as string).includes(c));
      if (found) return found;
    }
    if (Array.isArray(o.errors) && o.errors.length) e = o.errors[0];
    else e = o.cause;
  }
  return undefined;
}

function endpointOf(opts: S3Options | undefined, bucket: string): string {
  const s = resolveS3Settings(opts);
  return s.endpoint ? redactEndpoint(s.endpoint) : `https://${bucket}.s3.${s.region}.amazonaws.com`;
}

/** Maps an SDK error to one that names the URI; secrets never appear (SDK messages do not carry them). */
function s3Error(err: unknown, uri: string, bucket: string, opts: S3Options | undefined): Error {
  const e = err as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? e?.Code ?? "";
  if (name === "NoSuchBucket") return new BucketNotFoundError(bucket, { cause: err });
  if (name === "NoSuchKey" || name === "NotFound" || e?.$metadata?.httpStatusCode === 404) {
    return new ObjectNotFoundError(uri, { cause: err });
  }
  const code = networkCode(err);
  if (code) return new S3UnreachableError(endpointOf(opts, bucket), code, { cause: err });
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(e?.message ?? "")) {
    return new Error(
      `No AWS credentials found for "${uri}" (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ` +
        `or pass credentials in the S3 options)`,
      { cause: err },
    );
  }
  const status = e?.$metadata?.httpStatusCode;
  return new Error(
    `S3 request for "${uri}" failed: ${name || "Error"}${status ? ` (HTTP ${status})` : ""}: ${
      e?.message ?? String(err)
    }`,
    { cause: err },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Local helpers

function localError(err: unknown, uri: string): Error {
  if (err instanceof Deno.errors.NotFound) return new ObjectNotFoundError(uri, { cause: err });
  if (err instanceof Deno.errors.IsADirectory) {
    return new Error(`Object "${uri}" is a directory, not a file`, { cause: err });
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new Error(`Cannot access "${uri}": ${msg}`, { cause: err });
}

function dirName(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return path.slice(0, i);
}

const TEMP_MARK = ".tmp-";

/** Whether a file name is one of our in-progress temporary files. */
function isTempName(name: string): boolean {
  return name.startsWith(".") && name.includes(TEMP_MARK) && name.endsWith(".partial");
}

function tempPathFor(path: string): string {
  const rand = crypto.getRandomValues(new Uint32Array(2));
  return `${dirName(path)}/.${baseName(path)}${TEMP_MARK}${rand[0].toString(36)}${rand[1].toString(36)}.partial`;
}

async function ensureDir(dir: string, uri: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (err) {
    throw localError(err, uri);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Basic operations

/**
 * Reads a whole object.
 *
 * @example
 * ```ts
 * import { readBytes } from "./object_store.ts";
 * const bytes = await readBytes("s3://bucket/data/x.parquet");
 * ```
 */
export async function readBytes(uri: string, opts: IoOptions = {}): Promise<Uint8Array> {
  const p = parseUri(uri);
  if (p.scheme === "file") {
    try {
      return await Deno.readFile(p.path);
    } catch (err) {
      throw localError(err, uri);
    }
  }
  requireKey(uri, p);
  try {
    return await retryBody(opts.s3, async () => {
      const res = await s3Client(opts.s3).send(new GetObjectCommand({ Bucket: p.bucket, Key: p.key }));
      return res.Body ? bodyBytes(() => res.Body!.transformToByteArray()) : new Uint8Array(0);
    });
  } catch (err) {
    throw s3Error(err, uri, p.bucket, opts.s3);
  }
}

/** A connection dropped while a response body streamed in (the SDK retries only until the headers arrive). */
class BodyReadError extends Error {
  constructor(cause: unknown) {
    super(`Reading the response body failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "BodyReadError";
  }
}

async function bodyBytes(read: () => Promise<Uint8Array>): Promise<Uint8Array> {
  try {
    return await read();
  } catch (err) {
    throw networkCode(err) ? new BodyReadError(err) : err;
  }
}

/**
 * Retries a GET whose body read failed on a dropped connection (GETs are idempotent), with the same number of
 * attempts as the client and exponential backoff with jitter; other errors pass through at once.
 */
async function retryBody<T>(s3: S3Options | undefined, get: () => Promise<T>): Promise<T> {
  const attempts = resolveS3Settings(s3).maxAttempts;
  for (let attempt = 1;; attempt++) {
    try {
      return await get();
    } catch (err) {
      if (!(err instanceof BodyReadError) || attempt >= attempts) throw err instanceof BodyReadError ? err.cause : err;
      const delay = Math.min(100 * 2 ** attempt, 5_000) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

const SINGLE_PUT_LIMIT = 16 * 1024 * 1024;
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

/**
 * Writes a whole object atomically (temp file + rename locally; one PutObject, or an aborted-on-failure
 * multipart upload for bodies over 16 MiB, on S3). Parent directories are created.
 *
 * @example
 * ```ts
 * import { writeBytes } from "./object_store.ts";
 * await writeBytes("out/hello.txt", new TextEncoder().encode("hello"));
 * ```
 */
export async function writeBytes(uri: string, bytes: Uint8Array, opts: WriteOptions = {}): Promise<void> {
  const p = parseUri(uri);
  if (p.scheme === "file") {
    await ensureDir(dirName(p.path), uri);
    const tmp = tempPathFor(p.path);
    try {
      await Deno.writeFile(tmp, bytes);
      await Deno.rename(tmp, p.path);
    } catch (err) {
      await Deno.remove(tmp).catch(() => {});
      throw localError(err, uri);
    }
    return;
  }
  requireKey(uri, p);
  const client = s3Client(opts.s3);
  if (bytes.byteLength <= SINGLE_PUT_LIMIT) {
    try {
      await client.send(
        new PutObjectCommand({ Bucket: p.bucket, Key: p.key, Body: bytes, ContentType: opts.contentType }),
      );
    } catch (err) {
      throw s3Error(err, uri, p.bucket, opts.s3);
    }
    return;
  }
  const writer = await writeStream(uri, opts);
  try {
    for (let off = 0; off < bytes.byteLength; off += DEFAULT_PART_SIZE) {
      await writer.write(bytes.subarray(off, Math.min(bytes.byteLength, off + DEFAULT_PART_SIZE)));
    }
    await writer.close();
  } catch (err) {
    await writer.abort(err);
    throw err;
  }
}

/**
 * Whether an object (a regular file locally) exists.
 *
 * @example
 * ```ts
 * import { exists } from "./object_store.ts";
 * if (await exists("s3://bucket/model/manifest.json")) console.log("done");
 * ```
 */
export async function exists(uri: string, opts: IoOptions = {}): Promise<boolean> {
  const p = parseUri(uri);
  if (p.scheme === "file") {
    try {
      return (await Deno.stat(p.path)).isFile;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return false;
      throw localError(err, uri);
    }
  }
  requireKey(uri, p);
  try {
    await s3Client(opts.s3).send(new HeadObjectCommand({ Bucket: p.bucket, Key: p.key }));
    return true;
  } catch (err) {
    const mapped = s3Error(err, uri, p.bucket, opts.s3);
    if (mapped instanceof ObjectNotFoundError) return false;
    throw mapped;
  }
}

/**
 * Size of an object in bytes.
 *
 * @example
 * ```ts
 * import { size } from "./object_store.ts";
 * console.log(await size("data/x.parquet"));
 * ```
 */
export async function size(uri: string, opts: IoOptions = {}): Promise<number> {
  const p = parseUri(uri);
  if (p.scheme === "file") {
    try {
      const st = await Deno.stat(p.path);
      if (!st.isFile) throw new Error(`Object "${uri}" is not a file`);
      return st.size;
    } catch (err) {
      if (err instanceof Error && err.message.startsWith("Object ")) throw err;
      throw localError(err, uri);
    }
  }
  requireKey(uri, p);
  try {
    const res = await s3Client(opts.s3).send(new HeadObjectCommand({ Bucket: p.bucket, Key: p.key }));
    return res.ContentLength ?? 0;
  } catch (err) {
    throw s3Error(err, uri, p.bucket, opts.s3);
  }
}

async function walkLocal(
  dir: string,
  out: ObjectInfo[],
  filter: (path: string) => boolean,
  top = true,
): Promise<void> {
  // files and folders may vanish while we walk (other writers rename and delete): skip those, below the top
  try {
    for await (const entry of Deno.readDir(dir)) {
      const path = dir === "." ? entry.name : dir.endsWith("/") ? dir + entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory) await walkLocal(path, out, filter, false);
      else if (entry.isFile && !isTempName(entry.name) && filter(path)) {
        try {
          out.push({ uri: path, size: (await Deno.stat(path)).size });
        } catch (err) {
          if (!(err instanceof Deno.errors.NotFound)) throw err;
        }
      }
    }
  } catch (err) {
    if (top || !(err instanceof Deno.errors.NotFound)) throw err;
  }
}

/**
 * Lists objects under a prefix, recursively, sorted by URI. Locally a directory lists everything below it
 * and any other prefix matches paths starting with it; on S3 the prefix is a key prefix. A missing local
 * prefix lists nothing.
 *
 * @example
 * ```ts
 * import { list } from "./object_store.ts";
 * for (const { uri, size } of await list("s3://bucket/scores/")) console.log(uri, size);
 * ```
 */
export async function list(prefix: string, opts: IoOptions = {}): Promise<ObjectInfo[]> {
  const p = parseUri(prefix);
  const out: ObjectInfo[] = [];
  if (p.scheme === "file") {
    const fileUri = prefix.startsWith("file:");
    const path = p.path;
    try {
      let st: Deno.FileInfo | undefined;
      try {
        st = await Deno.stat(path);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
      if (st?.isDirectory) await walkLocal(path.replace(/\/+$/, "") || "/", out, () => true);
      else if (st?.isFile) out.push({ uri: path, size: st.size });
      else {
        const dir = dirName(path);
        try {
          await walkLocal(dir, out, (f) => f.startsWith(path));
        } catch (err) {
          if (!(err instanceof Deno.errors.NotFound)) throw err;
        }
      }
    } catch (err) {
      throw localError(err, prefix);
    }
    if (fileUri) { for (const o of out) o.uri = `file://${o.uri}`; }
    return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  }
  const client = s3Client(opts.s3);
  let token: string | undefined;
  try {
    do {
      const res = await client.send(
        new ListObjectsV2Command({ Bucket: p.bucket, Prefix: p.key || undefined, ContinuationToken: token }),
      );
      for (const o of res.Contents ?? []) if (o.Key) out.push({ uri: s3Uri(p.bucket, o.Key), size: o.Size ?? 0 });
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  } catch (err) {
    throw s3Error(err, prefix, p.bucket, opts.s3);
  }
  return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
}

/**
 * Removes an object. Removing a missing object is not an error (like S3's DeleteObject).
 *
 * @example
 * ```ts
 * import { remove } from "./object_store.ts";
 * await remove("out/old.csv");
 * ```
 */
export async function remove(uri: string, opts: IoOptions = {}): Promise<void> {
  const p = parseUri(uri);
  if (p.scheme === "file") {
    try {
      await Deno.remove(p.path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw localError(err, uri);
    }
    return;
  }
  requireKey(uri, p);
  try {
    await s3Client(opts.s3).send(new DeleteObjectCommand({ Bucket: p.bucket, Key: p.key }));
  } catch (err) {
    throw s3Error(err, uri, p.bucket, opts.s3);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Streams

/**
 * Opens an object as a stream of byte chunks.
 *
 * @example
 * ```ts
 * import { readStream } from "./object_store.ts";
 * const stream = await readStream("s3://bucket/big.csv");
 * for await (const chunk of stream) console.log(chunk.byteLength);
 * ```
 */
export async function readStream(uri: string, opts: IoOptions = {}): Promise<ReadableStream<Uint8Array>> {
  const p = parseUri(uri);
  if (p.scheme === "file") {
    try {
      const file = await Deno.open(p.path, { read: true });
      return file.readable;
    } catch (err) {
      throw localError(err, uri);
    }
  }
  requireKey(uri, p);
  try {
    const res = await s3Client(opts.s3).send(new GetObjectCommand({ Bucket: p.bucket, Key: p.key }));
    if (!res.Body) return new ReadableStream({ start: (c) => c.close() });
    return res.Body.transformToWebStream() as ReadableStream<Uint8Array>;
  } catch (err) {
    throw s3Error(err, uri, p.bucket, opts.s3);
  }
}

/** A writer that makes an object visible only when {@linkcode ObjectWriter.close} succeeds. */
export interface ObjectWriter {
  /** The target URI. */
  readonly uri: string;
  /** Bytes accepted so far. */
  readonly bytesWritten: number;
  /** Appends a chunk (waits while the sink is busy, so memory stays bounded). */
  write(chunk: Uint8Array): Promise<void>;
  /** Commits the object atomically; returns the total byte count. */
  close(): Promise<number>;
  /** Discards everything written: removes the temp file / aborts the multipart upload. Never throws. */
  abort(reason?: unknown): Promise<void>;
}

class LocalWriter implements ObjectWriter {
  bytesWritten = 0;
  #done = false;
  constructor(readonly uri: string, readonly path: string, readonly tmp: string, readonly file: Deno.FsFile) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#done) throw new Error(`Writer for "${this.uri}" is already closed`);
    try {
      let off = 0;
      while (off < chunk.byteLength) off += await this.file.write(chunk.subarray(off));
      this.bytesWritten += chunk.byteLength;
    } catch (err) {
      throw localError(err, this.uri);
    }
  }

  async close(): Promise<number> {
    if (this.#done) throw new Error(`Writer for "${this.uri}" is already closed`);
    this.#done = true;
    try {
      await this.file.sync().catch(() => {});
      this.file.close();
      await Deno.rename(this.tmp, this.path);
    } catch (err) {
      await Deno.remove(this.tmp).catch(() => {});
      throw localError(err, this.uri);
    }
    return this.bytesWritten;
  }

  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    try {
      this.file.close();
    } catch { /* already closed */ }
    await Deno.remove(this.tmp).catch(() => {});
  }
}

class S3Writer implements ObjectWriter {
  bytesWritten = 0;
  #done = false;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #upload: Upload;
  #result: Promise<void>;
  #failure: Promise<never>;

  constructor(
    readonly uri: string,
    readonly bucket: string,
    readonly key: string,
    readonly opts: WriteOptions,
  ) {
    // A small queue between our writes and the uploader keeps memory bounded by the part size.
    const pipe = new TransformStream<Uint8Array, Uint8Array>({}, { highWaterMark: 4 }, { highWaterMark: 4 });
    this.#writer = pipe.writable.getWriter();
    const partSize = Math.max(5 * 1024 * 1024, opts.partSize ?? DEFAULT_PART_SIZE);
    this.#upload = new Upload({
      client: s3Client(opts.s3),
      params: { Bucket: bucket, Key: key, Body: pipe.readable, ContentType: opts.contentType },
      partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    this.#result = this.#upload.done().then(() => {}, (err) => {
      throw s3Error(err, uri, bucket, opts.s3);
    });
    // If the upload fails while we are still writing, pending writes must fail instead of waiting forever.
    this.#failure = this.#result.then(
      () => Promise.reject(new Error(`Upload of "${uri}" finished before the writer was closed`)),
      (err) => Promise.reject(err),
    );
    this.#failure.catch(() => {});
    this.#result.catch(() => {});
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#done) throw new Error(`Writer for "${this.uri}" is already closed`);
    // Copy: the caller may reuse its buffer, and the uploader keeps references until a part is sent.
    await Promise.race([this.#writer.write(chunk.slice()), this.#failure]);
    this.bytesWritten += chunk.byteLength;
  }

  async close(): Promise<number> {
    if (this.#done) throw new Error(`Writer for "${this.uri}" is already closed`);
    this.#done = true;
    await Promise.race([this.#writer.close(), this.#failure]);
    await this.#result;
    return this.bytesWritten;
  }

  async abort(reason?: unknown): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    // Erroring the body makes the uploader stop and abort its multipart upload (no orphan parts).
    await this.#writer.abort(reason ?? new Error("aborted")).catch(() => {});
    await this.#result.catch(() => {});
    const uploadId = (this.#upload as unknown as { uploadId?: string }).uploadId;
    if (uploadId) {
      // Belt and braces: the uploader's own abort may have failed; aborting twice is harmless.
      await s3Client(this.opts.s3)
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: uploadId }))
        .catch(() => {});
    }
  }
}

/**
 * Opens an atomic writer: nothing is visible at `uri` until `close()` succeeds; `abort()` leaves nothing
 * behind (local temp file removed, S3 multipart upload aborted).
 *
 * @example
 * ```ts
 * import { writeStream } from "./object_store.ts";
 * const w = await writeStream("s3://bucket/out/big.bin");
 * try {
 *   await w.write(new Uint8Array([1, 2, 3]));
 *   await w.close();
 * } catch (err) {
 *   await w.abort(err);
 *   throw err;
 * }
 * ```
 */
export async function writeStream(uri: string, opts: WriteOptions = {}): Promise<ObjectWriter> {
  const p = parseUri(uri);
  if (p.scheme === "file") {
    await ensureDir(dirName(p.path), uri);
    const tmp = tempPathFor(p.path);
    try {
      const file = await Deno.open(tmp, { write: true, createNew: true });
      return new LocalWriter(uri, p.path, tmp, file);
    } catch (err) {
      throw localError(err, uri);
    }
  }
  requireKey(uri, p);
  return new S3Writer(uri, p.bucket, p.key, opts);
}

// ---------------------------------------------------------------------------------------------------------------
// Random access

/** Random access to an object's bytes (used for Parquet footers and row groups). */
export interface RangeReader {
  /** The URI. */
  readonly uri: string;
  /** Total size in bytes. */
  readonly size: number;
  /** Reads bytes [start, end). */
  read(start: number, end: number): Promise<Uint8Array>;
  /** Releases the file handle (no-op for S3). */
  close(): void;
}

/**
 * Opens an object for ranged reads: a file handle with seek + read locally, ranged GETs on S3.
 *
 * @example
 * ```ts
 * import { openRangeReader } from "./object_store.ts";
 * const r = await openRangeReader("data/x.parquet");
 * const magic = await r.read(r.size - 4, r.size); // "PAR1"
 * r.close();
 * ```
 */
export async function openRangeReader(uri: string, opts: IoOptions = {}): Promise<RangeReader> {
  const p = parseUri(uri);
  if (p.scheme === "file") {
    let file: Deno.FsFile;
    let total: number;
    try {
      file = await Deno.open(p.path, { read: true });
      const st = await file.stat();
      if (!st.isFile) {
        file.close();
        throw new Deno.errors.IsADirectory(p.path);
      }
      total = st.size;
    } catch (err) {
      throw localError(err, uri);
    }
    let lock: Promise<unknown> = Promise.resolve();
    let closed = false;
    const readAt = async (start: number, end: number): Promise<Uint8Array> => {
      const buf = new Uint8Array(Math.max(0, end - start));
      await file.seek(start, Deno.SeekMode.Start);
      let off = 0;
      while (off < buf.length) {
        const n = await file.read(buf.subarray(off));
        if (n === null) throw new Error(`Unexpected end of "${uri}" at byte ${start + off}`);
        off += n;
      }
      return buf;
    };
    return {
      uri,
      size: total,
      read(start, end) {
        if (closed) return Promise.reject(new Error(`Reader for "${uri}" is closed`));
        // One handle, so seek + read pairs must not interleave.
        const r = lock.then(() => readAt(start, end));
        lock = r.catch(() => {});
        return r;
      },
      close() {
        if (closed) return;
        closed = true;
        lock.finally(() => file.close());
      },
    };
  }
  requireKey(uri, p);
  const total = await size(uri, opts);
  const client = s3Client(opts.s3);
  return {
    uri,
    size: total,
    async read(start, end) {
      if (end <= start) return new Uint8Array(0);
      try {
        const bytes = await retryBody(opts.s3, async () => {
          const res = await client.send(
            new GetObjectCommand({ Bucket: p.bucket, Key: p.key, Range: `bytes=${start}-${end - 1}` }),
          );
          return res.Body ? await bodyBytes(() => res.Body!.transformToByteArray()) : new Uint8Array(0);
        });
        if (bytes.byteLength !== end - start) {
          throw new Error(`Ranged read of "${uri}" returned ${bytes.byteLength} bytes, expected ${end - start}`);
        }
        return bytes;
      } catch (err) {
        if (err instanceof Error && err.message.startsWith("Ranged read")) throw err;
        throw s3Error(err, uri, p.bucket, opts.s3);
      }
    },
    close() {},
  };
}
