/**
 * A small loopback proxy for tests that puts a failing network in front of a real server (s3rver): for each HTTP
 * request a policy decides to pass it on, answer `503 SlowDown` or `500 InternalError` itself (S3's throttling and
 * server errors), drop the connection without an answer, or pass it on and cut the response body short.
 *
 * It works on raw TCP: it reads the request head, decides, and then either answers or opens a connection to the
 * real server and copies bytes both ways (with `Connection: close`, so every request has its own connection and
 * the signed headers travel unchanged).
 *
 * @example
 * ```ts
 * import { startFlakyProxy } from "./flaky_proxy.ts";
 * const s3 = await startS3();
 * const proxy = await startFlakyProxy(s3.endpoint, (req) => (req.n % 5 === 3 ? "503" : "pass"));
 * // point the S3 client at proxy.endpoint instead of s3.endpoint
 * await proxy.close();
 * ```
 * @module
 */

/** What the proxy does with one request. */
export type ProxyAction = "pass" | "503" | "500" | "drop" | "truncate";

/** A request as the policy sees it. */
export interface ProxyRequest {
  /** 0-based number of the request since the proxy started. */
  n: number;
  method: string;
  /** Path without the query. */
  path: string;
  /** The query string (without `?`). */
  query: string;
  headers: Record<string, string>;
}

/** A running proxy. */
export interface FlakyProxy {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Every request seen, with what was done. */
  readonly log: (ProxyRequest & { action: ProxyAction })[];
  /** Replaces the policy. */
  setPolicy(policy: (req: ProxyRequest) => ProxyAction): void;
  /** Requests answered with a failure (503, 500, dropped, truncated). */
  failures(): number;
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function indexOfHeadEnd(buf: Uint8Array, length: number): number {
  for (let i = 3; i < length; i++) {
    if (buf[i - 3] === 13 && buf[i - 2] === 10 && buf[i - 1] === 13 && buf[i] === 10) return i + 1;
  }
  return -1;
}

async function readHead(conn: Deno.Conn): Promise<{ head: string; rest: Uint8Array } | null> {
  let buf = new Uint8Array(16 * 1024);
  let length = 0;
  for (;;) {
    if (length === buf.length) {
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    }
    const n = await conn.read(buf.subarray(length));
    if (n === null) return null;
    length += n;
    const end = indexOfHeadEnd(buf, length);
    if (end >= 0) return { head: decoder.decode(buf.subarray(0, end)), rest: buf.slice(end, length) };
    if (length > 1 << 20) return null;
  }
}

function parseHead(head: string) {
  const lines = head.split("\r\n");
  const [method, target] = lines[0].split(" ");
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const q = target.indexOf("?");
  return {
    method,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? "" : target.slice(q + 1),
    headers,
    lines,
  };
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

async function drain(conn: Deno.Conn, already: number, total: number): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  let left = total - already;
  while (left > 0) {
    const n = await conn.read(buf);
    if (n === null) return;
    left -= n;
  }
}

function errorResponse(status: 503 | 500): Uint8Array {
  const code = status === 503 ? "SlowDown" : "InternalError";
  const text = status === 503 ? "Please reduce your request rate." : "We encountered an internal error.";
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${text}</Message>` +
    `<RequestId>flaky-proxy</RequestId></Error>`;
  return encoder.encode(
    `HTTP/1.1 ${status} ${status === 503 ? "Slow Down" : "Internal Server Error"}\r\n` +
      `Content-Type: application/xml\r\nContent-Length: ${encoder.encode(body).length}\r\nConnection: close\r\n\r\n` +
      body,
  );
}

/**
 * Starts the proxy on 127.0.0.1 (a free port) in front of `upstream` (`http://host:port`).
 *
 * @example
 * ```ts
 * const proxy = await startFlakyProxy("http://127.0.0.1:4568", () => "pass");
 * ```
 */
export function startFlakyProxy(
  upstream: string,
  policy: (req: ProxyRequest) => ProxyAction,
): Promise<FlakyProxy> {
  const target = new URL(upstream);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const log: (ProxyRequest & { action: ProxyAction })[] = [];
  const open = new Set<Deno.Conn>();
  let count = 0;
  let current = policy;

  const closeQuietly = (c: Deno.Conn) => {
    open.delete(c);
    try {
      c.close();
    } catch { /* already closed */ }
  };

  async function handle(client: Deno.Conn): Promise<void> {
    open.add(client);
    let upstreamConn: Deno.Conn | null = null;
    try {
      const got = await readHead(client);
      if (!got) return;
      const head = parseHead(got.head);
      const req: ProxyRequest = {
        n: count++,
        method: head.method,
        path: head.path,
        query: head.query,
        headers: head.headers,
      };
      const action = current(req);
      log.push({ ...req, action });
      const length = Number(head.headers["content-length"] ?? 0);
      const expects = (head.headers["expect"] ?? "").toLowerCase() === "100-continue";
      if (action === "drop") return;
      if (action === "503" || action === "500") {
        if (!expects) await drain(client, got.rest.length, length);
        await writeAll(client, errorResponse(action === "503" ? 503 : 500));
        return;
      }
      upstreamConn = await Deno.connect({ hostname: target.hostname, port: Number(target.port) });
      open.add(upstreamConn);
      const lines = head.lines.filter((l) => l !== "" && !/^connection\s*:/i.test(l));
      await writeAll(upstreamConn, encoder.encode(lines.join("\r\n") + "\r\nConnection: close\r\n\r\n"));
      if (got.rest.length) await writeAll(upstreamConn, got.rest);
      const up = upstreamConn;
      // client -> upstream: the rest of the body (and nothing after: the answer says Connection: close)
      const toUpstream = (async () => {
        const buf = new Uint8Array(64 * 1024);
        try {
          for (;;) {
            const n = await client.read(buf);
            if (n === null) break;
            await writeAll(up, buf.subarray(0, n));
          }
        } catch { /* either side closed */ }
      })();
      // upstream -> client, cut short for "truncate"
      let budget = Infinity;
      let headSeen = false;
      let pendingHead = new Uint8Array(0);
      const buf = new Uint8Array(64 * 1024);
      for (;;) {
        const n = await up.read(buf);
        if (n === null) break;
        let chunk = buf.subarray(0, n);
        if (action === "truncate" && !headSeen) {
          const joined = new Uint8Array(pendingHead.length + chunk.length);
          joined.set(pendingHead);
          joined.set(chunk, pendingHead.length);
          const end = indexOfHeadEnd(joined, joined.length);
          if (end < 0) {
            pendingHead = joined;
            continue;
          }
          headSeen = true;
          const m = /content-length:\s*(\d+)/i.exec(decoder.decode(joined.subarray(0, end)));
          const bodyLength = m ? Number(m[1]) : 0;
          budget = end + Math.floor(bodyLength / 2);
          chunk = joined;
        }
        if (chunk.length > budget) chunk = chunk.subarray(0, budget);
        await writeAll(client, chunk);
        budget -= chunk.length;
        if (budget <= 0) break;
      }
      closeQuietly(up);
      closeQuietly(client);
      await toUpstream;
    } catch {
      // a side hung up: nothing to report, the client sees a dropped connection
    } finally {
      if (upstreamConn) closeQuietly(upstreamConn);
      closeQuietly(client);
    }
  }

  const accepting = (async () => {
    try {
      for await (const conn of listener) handle(conn);
    } catch { /* listener closed */ }
  })();

  return Promise.resolve({
    endpoint: `http://127.0.0.1:${port}`,
    log,
    setPolicy(p) {
      current = p;
    },
    failures: () => log.filter((r) => r.action !== "pass").length,
    async close() {
      try {
        listener.close();
      } catch { /* closed */ }
      for (const c of [...open]) closeQuietly(c);
      await accepting;
    },
  });
}
