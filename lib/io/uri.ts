/**
 * Object-store URIs: a local path (relative, absolute or `file://...`) or `s3://bucket/key` (also `s3a://`).
 * Parsing, joining and naming only; nothing here touches a file or the network.
 *
 * @example
 * ```ts
 * import { joinUri, parseUri } from "./uri.ts";
 * parseUri(joinUri("s3://bucket/runs", "scores.parquet")); // { scheme: "s3", bucket: "bucket", key: "runs/scores.parquet" }
 * ```
 * @module
 */

/** A parsed URI: a local path or an S3 bucket and key. */
export type ParsedUri =
  | { scheme: "file"; path: string }
  | { scheme: "s3"; bucket: string; key: string };

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

/**
 * The last path segment of a URI (its file name).
 *
 * @example
 * ```ts
 * import { baseName } from "./object_store.ts";
 * baseName("s3://b/runs/scores.parquet"); // "scores.parquet"
 * ```
 */
export function baseName(uri: string): string {
  const trimmed = uri.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/**
 * The directory part of a local path: `.` for a bare name, `/` for a file at the root.
 *
 * @example
 * ```ts
 * import { dirName } from "./uri.ts";
 * dirName("out/a/b.csv"); // "out/a"
 * dirName("b.csv"); // "."
 * ```
 */
export function dirName(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return path.slice(0, i);
}

/** An S3 object as the object store addresses it: the URI it was named by, its bucket and key. */
export interface S3Target {
  /** The URI as the caller wrote it (errors name it). */
  uri: string;
  /** The bucket. */
  bucket: string;
  /** The key (may be empty or a prefix where a function says so). */
  key: string;
}

/**
 * The URI of an S3 object.
 *
 * @example
 * ```ts
 * import { s3Uri } from "./uri.ts";
 * s3Uri("b", "a/k.parquet"); // "s3://b/a/k.parquet"
 * ```
 */
export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * Checks that an S3 URI names an object, not a bucket or a prefix ending in `/`.
 *
 * @example
 * ```ts
 * import { parseUri, requireKey } from "./uri.ts";
 * const p = parseUri("s3://b/dir/");
 * if (p.scheme === "s3") requireKey("s3://b/dir/", p); // throws: URI "s3://b/dir/" has no object key
 * ```
 */
export function requireKey(uri: string, parsed: { bucket: string; key: string }): void {
  if (!parsed.key || parsed.key.endsWith("/")) throw new Error(`URI "${uri}" has no object key`);
}
