/**
 * The HTTP fuzz list of the fault suite: at least 400 malformed or hostile requests against the decision server
 * (bad JSON, wrong types, extreme and non-finite numbers, unknown and missing fields, oversized bodies, bad methods,
 * bad percent-escapes and path tricks, bad content types, Feast requests with bad entities). Every answer must be a
 * 4xx (or a 2xx for the few well-formed ones): a 5xx on malformed input is a failure of the suite.
 *
 * @example
 * ```ts
 * import { fuzzCases, runFuzz } from "./http_fuzz.ts";
 * const result = await runFuzz("http://127.0.0.1:6566", fuzzCases(goodApplication));
 * result.fiveXX; // 0
 * ```
 * @module
 */

/** One request of the list. */
export interface FuzzCase {
  name: string;
  method: string;
  path: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

/** What the server answered. */
export interface FuzzResult {
  cases: number;
  byStatus: Record<string, number>;
  fiveXX: number;
  /** The cases answered 5xx (or not at all), with the status. */
  failures: { name: string; status: number | string }[];
}

const JSON_HEADERS = { "content-type": "application/json" };

const EXTREMES: unknown[] = [
  1e308,
  -1e308,
  1.7976931348623157e308,
  Number.MAX_SAFE_INTEGER,
  -1,
  0,
  0.5,
  -0.0,
  "1e308",
  "NaN",
  "Infinity",
  "-Infinity",
  "",
  " ",
  null,
  true,
  false,
  [],
  [1],
  {},
  { $gt: 0 },
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "\u0000",
  "x".repeat(5000),
  "é",
  "🙂",
  "12",
  "1,000",
  " 7 ",
  "0x10",
  "1e3",
  -5,
  -0.0001,
  12.75,
  2 ** 53 + 1,
  1e-308,
  5e-324,
  "rent",
  "RENT ",
  "\u202eRENT",
  "19530219_5179",
  "2021-02-30",
];

/**
 * The list: each field of a good application set to each extreme value, each field removed, unknown fields, and
 * request-level faults. `good` is a valid application of the served repo.
 */
export function fuzzCases(good: Record<string, unknown>): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const post = (name: string, body: unknown, headers: Record<string, string> = JSON_HEADERS, path = "/score") =>
    cases.push({
      name,
      method: "POST",
      path,
      body: typeof body === "string" ? body : JSON.stringify(body),
      headers,
    });
  for (const field of Object.keys(good)) {
    for (const [i, v] of EXTREMES.entries()) post(`${field}=extreme#${i}`, { ...good, [field]: v });
    const without = { ...good };
    delete without[field];
    post(`${field} missing`, without);
  }
  post("unknown field", { ...good, surprise: 1 });
  post("prototype pollution", JSON.parse(`{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"x": 1}}}`));
  for (
    const raw of ["", "{", "}", "[]", "null", "1", '"text"', "{not json", '{"a":1,}', "\u0000", "[".repeat(10_000)]
  ) {
    post(`body ${JSON.stringify(raw).slice(0, 20)}`, raw);
  }
  post("huge body", { ...good, pad: "x".repeat(100_000) });
  post("deep nesting", JSON.parse("[".repeat(500) + "]".repeat(500)));
  post("binary body", new TextDecoder().decode(Uint8Array.from({ length: 256 }, (_, i) => i)));
  post("text/plain", good, { "content-type": "text/plain" });
  post("no content type", good, {});
  post("form encoded", "a=1&b=2", { "content-type": "application/x-www-form-urlencoded" });
  for (const path of ["/get-online-features", "/score"]) {
    post(`${path}: empty object`, {}, JSON_HEADERS, path);
  }
  const feast = (name: string, body: unknown) => post(`feast ${name}`, body, JSON_HEADERS, "/get-online-features");
  feast("no features", { entities: {} });
  feast("features not a list", { features: "x", entities: {} });
  feast("unknown view", { features: ["nope:x"], entities: { a: [1] } });
  feast("bad ref", { features: ["::"], entities: { a: [1] } });
  feast("entities not an object", { features: [], entities: [1] });
  feast("ragged entities", { features: [], entities: { a: [1, 2], b: [1] } });
  feast("huge entity list", { features: [], entities: { a: Array.from({ length: 50_000 }, (_, i) => i) } });
  for (const m of ["PUT", "DELETE", "PATCH", "OPTIONS", "FOO"]) {
    cases.push({ name: `${m} /score`, method: m, path: "/score", body: "{}", headers: JSON_HEADERS });
  }
  for (
    const path of [
      "/monitoring/charts/%",
      "/monitoring/charts/%zz",
      "/monitoring/charts/%E0%A4%A.svg",
      "/monitoring/charts/..%2F..%2Fetc%2Fpasswd",
      "/monitoring/charts/%2e%2e/%2e%2e/x.svg",
      "/assets/%",
      "/assets/../../deno.json",
      "/%",
      "/nope",
      "//",
      "/api/monitoring?x=%",
      "/monitoring/drift_report.html/..",
      "/" + "a".repeat(10_000),
    ]
  ) cases.push({ name: `GET ${path.slice(0, 40)}`, method: "GET", path });
  return cases;
}

/**
 * Sends every case (a few at a time) and counts the answers; a case that gets no answer counts as a failure.
 */
export async function runFuzz(base: string, cases: readonly FuzzCase[], concurrency = 8): Promise<FuzzResult> {
  const byStatus: Record<string, number> = {};
  const failures: FuzzResult["failures"] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      let status: number | string;
      try {
        const res = await fetch(`${base}${c.path}`, {
          method: c.method,
          body: c.method === "GET" || c.method === "HEAD" ? undefined : c.body as BodyInit,
          headers: c.headers,
          signal: AbortSignal.timeout(10_000),
        });
        status = res.status;
        await res.body?.cancel();
      } catch (err) {
        status = `no answer (${(err as Error).name})`;
      }
      const key = typeof status === "number" ? `${Math.floor(status / 100)}xx` : "none";
      byStatus[key] = (byStatus[key] ?? 0) + 1;
      if (typeof status !== "number" || status >= 500) failures.push({ name: c.name, status });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { cases: cases.length, byStatus, fiveXX: failures.length, failures };
}
