/**
 * A real S3-compatible server for tests: the npm `s3rver`, run in-process on 127.0.0.1.
 *
 * s3rver 3.7.1 does not implement AbortMultipartUpload nor ListMultipartUploads; this helper adds both (a
 * small middleware over s3rver's own upload store) so the SDK's abort path works end to end and tests can
 * check that no multipart upload is left behind.
 *
 * @example
 * ```ts
 * import { startS3 } from "./s3rver.ts";
 * import { writeBytes } from "../io/mod.ts";
 * const s3 = await startS3();
 * try {
 *   await writeBytes(`s3://${s3.bucket}/a.txt`, new Uint8Array([1]), { s3: s3.options });
 * } finally {
 *   await s3.close();
 * }
 * ```
 * @module
 */
import S3rver from "s3rver";
import { closeS3Clients, type S3Options } from "../io/object_store.ts";

/** Options of {@linkcode startS3}. */
export interface StartS3Options {
  /** Name of the fresh bucket (default `test-bucket`). */
  bucket?: string;
  /** Print s3rver's request log (default false). */
  verbose?: boolean;
  /** Where the server keeps its objects (default a fresh temporary folder, removed on close). */
  directory?: string;
}

/** A running test S3 server. */
export interface S3Server {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** The fresh bucket. */
  bucket: string;
  /** AWS environment variables that point the standard settings at this server. */
  env: Record<string, string>;
  /** The same as explicit S3 options. */
  options: S3Options;
  /** Multipart uploads started but neither completed nor aborted, read from the server's store. */
  pendingUploads(): Promise<{ key: string; uploadId: string }[]>;
  /** Stops the server, closes cached S3 clients and removes the data directory (when it made it). */
  close(): Promise<void>;
}

interface KoaCtx {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  type: string;
}
type Next = () => Promise<unknown>;

interface S3rverInstance {
  middleware: ((ctx: KoaCtx, next: Next) => Promise<unknown>)[];
  run(): Promise<{ port: number; address: string }>;
  close(): Promise<void>;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

async function readUploads(root: string, bucket: string): Promise<{ key: string; uploadId: string }[]> {
  const dir = `${root}/${bucket}/._S3rver_uploads`;
  const out: { key: string; uploadId: string }[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isDirectory) continue;
      const key = await Deno.readTextFile(`${dir}/${e.name}/key`).catch(() => "");
      out.push({ key, uploadId: e.name });
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out.sort((a, b) => a.uploadId.localeCompare(b.uploadId));
}

/**
 * Starts s3rver on 127.0.0.1 with a random free port, a temporary directory and a fresh bucket.
 *
 * @example
 * ```ts
 * import { startS3 } from "./s3rver.ts";
 * const s3 = await startS3({ bucket: "scores" });
 * console.log(s3.endpoint, s3.env.AWS_ENDPOINT_URL_S3);
 * await s3.close();
 * ```
 */
export async function startS3(opts: StartS3Options = {}): Promise<S3Server> {
  const bucket = opts.bucket ?? "test-bucket";
  const ownDirectory = opts.directory === undefined;
  const directory = opts.directory ?? (await Deno.makeTempDir({ prefix: "s3rver-" }));
  if (!ownDirectory) await Deno.mkdir(directory, { recursive: true });
  const Ctor = S3rver as unknown as new (o: Record<string, unknown>) => S3rverInstance;
  const server = new Ctor({
    address: "127.0.0.1",
    port: 0,
    silent: !opts.verbose,
    directory,
    configureBuckets: [{ name: bucket }],
    vhostBuckets: false,
  });
  // Missing in s3rver 3.7.1: AbortMultipartUpload (DELETE ?uploadId) and ListMultipartUploads (GET ?uploads).
  server.middleware.unshift(async (ctx, next) => {
    const parts = ctx.path.split("/").filter((s) => s !== "");
    const b = parts[0];
    if (ctx.method === "DELETE" && parts.length > 1 && typeof ctx.query.uploadId === "string") {
      const id = ctx.query.uploadId;
      if (!/^[A-Za-z0-9_-]+$/.test(id)) {
        ctx.status = 400;
        return;
      }
      const dir = `${directory}/${b}/._S3rver_uploads/${id}`;
      try {
        await Deno.remove(dir, { recursive: true });
        ctx.status = 204;
      } catch {
        ctx.status = 404;
        ctx.type = "application/xml";
        ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code>` +
          `<Message>The specified upload does not exist.</Message></Error>`;
      }
      return;
    }
    if (ctx.method === "GET" && parts.length === 1 && "uploads" in ctx.query) {
      const uploads = await readUploads(directory, b);
      ctx.status = 200;
      ctx.type = "application/xml";
      ctx.body =
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult><Bucket>${xmlEscape(b)}</Bucket>` +
        uploads.map((u) => `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.uploadId}</UploadId></Upload>`)
          .join("") +
        `<IsTruncated>false</IsTruncated></ListMultipartUploadsResult>`;
      return;
    }
    return await next();
  });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (err) {
    if (ownDirectory) await Deno.remove(directory, { recursive: true }).catch(() => {});
    throw new Error(`Cannot start s3rver: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
  let closed = false;
  return {
    endpoint,
    bucket,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_S3_FORCE_PATH_STYLE: "true",
    },
    options: { endpoint, region: "us-east-1", forcePathStyle: true, credentials, maxAttempts: 2 },
    pendingUploads: () => readUploads(directory, bucket),
    async close() {
      if (closed) return;
      closed = true;
      closeS3Clients();
      await server.close();
      if (ownDirectory) await Deno.remove(directory, { recursive: true }).catch(() => {});
    },
  };
}
