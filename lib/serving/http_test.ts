import { assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { bigintReplacer, errorResponse, HttpError, jsonResponse, readJsonBody } from "./http.ts";

const post = (body: BodyInit | null, type = "application/json") =>
  new Request("http://x/score", { method: "POST", body, headers: type ? { "content-type": type } : {} });

Deno.test("readJsonBody: objects pass; malformed, empty, non-object, wrong type and oversized bodies are 4xx", async () => {
  assertEquals(await readJsonBody(post('{"a":1}'), { maxBytes: 100 }), { a: 1 });
  const status = async (req: Request) =>
    (await assertRejects(() => readJsonBody(req, { maxBytes: 100 }), HttpError)).status;
  assertEquals(await status(post("{not json")), 400);
  assertEquals(await status(post("")), 400);
  assertEquals(await status(post("[1,2]")), 400);
  assertEquals(await status(post('{"a":1}', "text/plain")), 415);
  assertEquals(await status(post(JSON.stringify({ a: "x".repeat(200) }))), 413);
  // a streamed body without content-length is cut off while reading
  const stream = new ReadableStream({
    start(c) {
      for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("x".repeat(50)));
      c.close();
    },
  });
  assertEquals(await status(post(stream)), 413);
});

Deno.test("errorResponse: HttpError keeps its status; other errors are a 500 without the stack", async () => {
  const r = errorResponse(new HttpError(422, `Field "person_age" must be a number`));
  assertEquals(r.status, 422);
  assertEquals(await r.json(), { error: `Field "person_age" must be a number` });
  const named = errorResponse(new HttpError(400, "bad", [{ field: "person_age", message: "must be a number" }]));
  assertEquals(await named.json(), { error: "bad", fields: [{ field: "person_age", message: "must be a number" }] });
  const logged: string[] = [];
  const boom = errorResponse(new Error("secret detail at /srv/app.ts:12"), (l) => logged.push(l));
  assertEquals(boom.status, 500);
  const text = await boom.text();
  assertEquals(text.includes("secret detail"), false);
  assertStringIncludes(logged[0], "secret detail");
});

Deno.test("jsonResponse writes bigints as numbers (or strings past 2^53)", async () => {
  assertEquals(await jsonResponse({ a: 5n, b: 2n ** 60n }).json(), { a: 5, b: "1152921504606846976" });
  assertEquals(bigintReplacer("k", 1), 1);
  // a bigint deep inside, and bodies without one written as JSON.stringify writes them
  assertEquals(await jsonResponse({ rows: [{ v: [1, -3n] }] }).text(), '{"rows":[{"v":[1,-3]}]}');
  const plain = { p: 0.1 + 0.2, s: "é\u2028", n: null, skip: undefined, list: [1, "x", { d: new Date(0) }] };
  assertEquals(await jsonResponse(plain).text(), JSON.stringify(plain));
});
