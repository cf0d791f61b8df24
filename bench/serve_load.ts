/**
 * The load generator of `bench serve`, run by bench/serve.ts in a process of its own (a small heap: the bench
 * process holds the training data and tfjs, and its garbage collections would stall sending and timing).
 *
 * Reads a {@link LoadPlan} as JSON on stdin and writes {@link LoadReport} as JSON on stdout. Open loop: request `i` is
 * due at `start + i / rate` whatever the answers; a worker thread paces the sends (`Atomics.wait` to each due time,
 * then a message to this thread), since `setTimeout` sleeps at least ~2 ms in Deno, which turned a steady 1,000/s
 * into bursts of two or three requests every 2–3 ms. Latency counts from each request's actual send (and, as
 * `fromSchedule`, from its due time). Requests go over a pool of keep-alive HTTP/1.1 connections (raw TCP; one
 * request at a time per connection, a new connection when all are busy).
 *
 * @module
 */

/** What to send (bench/serve.ts → this process). */
export interface LoadPlan {
  port: number;
  /** Complete HTTP/1.1 requests, sent round-robin. */
  requests: string[];
  /** The floor: a request answered without features or model (GET /health). */
  floorRequest: string;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
}

/** One phase's measurements (latencies in ms, unsorted). */
export interface PhaseReport {
  latencies: number[];
  fromSchedule: number[];
  /** `server-timing` app durations (ms) of the answers. */
  serverMs: number[];
  errors: number;
  total: number;
  /** Seconds from the first due time to the last answer. */
  elapsed: number;
  statuses: Record<number, number>;
}

/** What this process reports. */
export interface LoadReport {
  score: PhaseReport;
  floor: PhaseReport;
}

/**
 * A minimal keep-alive HTTP/1.1 client over one TCP connection (the load generator must cost less than the server
 * it measures; `fetch` costs ~10x more CPU per request). Expects `content-length` in responses, as Deno.serve sends.
 */
class RawHttpConnection {
  #conn: Deno.TcpConn;
  #buf = new Uint8Array(1 << 16);
  #len = 0;
  #dec = new TextDecoder();
  busy = false;
  /** `server-timing` app duration of the last response (ms), or NaN. */
  lastServerMs = NaN;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  static async open(port: number): Promise<RawHttpConnection> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    return new RawHttpConnection(conn);
  }

  /** Sends one pre-encoded request and reads its response; returns the status code. */
  async request(bytes: Uint8Array): Promise<number> {
    let off = 0;
    while (off < bytes.length) off += await this.#conn.write(bytes.subarray(off));
    for (;;) {
      const head = this.#headEnd();
      if (head >= 0) {
        const text = this.#dec.decode(this.#buf.subarray(0, head));
        const status = Number(text.slice(9, 12));
        const st = /server-timing:\s*app;dur=([\d.]+)/i.exec(text);
        this.lastServerMs = st ? Number(st[1]) : NaN;
        const m = /content-length:\s*(\d+)/i.exec(text);
        const total = head + 4 + (m ? Number(m[1]) : 0);
        while (this.#len < total) await this.#fill();
        this.#buf.copyWithin(0, total, this.#len);
        this.#len -= total;
        return status;
      }
      await this.#fill();
    }
  }

  #headEnd(): number {
    const b = this.#buf;
    for (let i = 3; i < this.#len; i++) {
      if (b[i] === 10 && b[i - 1] === 13 && b[i - 2] === 10 && b[i - 3] === 13) return i - 3;
    }
    return -1;
  }

  async #fill(): Promise<void> {
    if (this.#len === this.#buf.length) {
      const bigger = new Uint8Array(this.#buf.length * 2);
      bigger.set(this.#buf);
      this.#buf = bigger;
    }
    const n = await this.#conn.read(this.#buf.subarray(this.#len));
    if (n === null) throw new Error("Connection closed by the server");
    this.#len += n;
  }

  close(): void {
    this.#conn.close();
  }
}

/**
 * The pacing thread: for each request, sleeps (Atomics.wait, sub-millisecond) until its due time, then posts its
 * index. Due times are in the main thread's clock; the worker converts with the two time origins.
 */
const TICKER = `
const cell = new Int32Array(new SharedArrayBuffer(4));
self.onmessage = (e) => {
  const { start, interval, count, origin } = e.data;
  const offset = performance.timeOrigin - origin;
  for (let i = 0; i < count; i++) {
    const wait = start + i * interval - offset - performance.now();
    if (wait > 0) Atomics.wait(cell, 0, 0, wait);
    self.postMessage(i);
  }
};`;

/** Sends `requests` round-robin at `rate`/s for `seconds`, open loop; see the module doc. */
async function phase(
  pool: RawHttpConnection[],
  port: number,
  requests: Uint8Array[],
  rate: number,
  seconds: number,
): Promise<PhaseReport> {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const report: PhaseReport = {
    latencies: [],
    fromSchedule: [],
    serverMs: [],
    errors: 0,
    total,
    elapsed: 0,
    statuses: {},
  };
  const url = URL.createObjectURL(new Blob([TICKER], { type: "application/javascript" }));
  const ticker = new Worker(url, { type: "module" });
  const start = performance.now() + 20;
  let done = 0;
  let lastAnswer = start;
  const finished = Promise.withResolvers<void>();
  const settle = () => {
    lastAnswer = performance.now();
    if (++done === total) finished.resolve();
  };
  const fire = async (i: number) => {
    const due = start + i * interval;
    const sent = performance.now(); // before a connection is found (or opened)
    let conn = pool.find((c) => !c.busy);
    if (!conn) pool.push(conn = await RawHttpConnection.open(port));
    conn.busy = true;
    try {
      const status = await conn.request(requests[i % requests.length]);
      const now = performance.now();
      if (status === 200) {
        report.latencies.push(now - sent);
        report.fromSchedule.push(now - due);
        report.serverMs.push(conn.lastServerMs);
      } else {
        report.errors++;
        report.statuses[status] = (report.statuses[status] ?? 0) + 1;
      }
    } catch {
      report.errors++;
    } finally {
      conn.busy = false;
      settle();
    }
  };
  ticker.onmessage = (e: MessageEvent<number>) => void fire(e.data);
  ticker.postMessage({ start, interval, count: total, origin: performance.timeOrigin });
  await finished.promise;
  ticker.terminate();
  URL.revokeObjectURL(url);
  report.elapsed = (lastAnswer - start) / 1000;
  return report;
}

if (import.meta.main) {
  const plan = JSON.parse(await new Response(Deno.stdin.readable).text()) as LoadPlan;
  const enc = new TextEncoder();
  const requests = plan.requests.map((r) => enc.encode(r));
  const pool = await Promise.all(Array.from({ length: plan.connections }, () => RawHttpConnection.open(plan.port)));
  if (plan.warmupSeconds > 0) await phase(pool, plan.port, requests, plan.rate, plan.warmupSeconds);
  const score = await phase(pool, plan.port, requests, plan.rate, plan.seconds);
  const floor = await phase(pool, plan.port, [enc.encode(plan.floorRequest)], plan.rate, plan.seconds);
  for (const c of pool) c.close();
  const report: LoadReport = { score, floor };
  await Deno.stdout.write(enc.encode(JSON.stringify(report)));
}
