import { assert, assertEquals, assertRejects, assertStringIncludes, assertThrows } from "@std/assert";
import { assetPath, assetRoutes, contentTypeOf, PAGE_CSP, staticRoutes } from "./pages.ts";
import { createHandler, matchRoute, type ServingStore } from "./server.ts";

Deno.test("static pages: listed files only, with content type, CSP, nosniff; a missing file fails at start-up", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/index.html`, "<!doctype html><p>hi</p>");
    const routes = await staticRoutes({ "/": `${dir}/index.html` });
    const res = await routes["GET /"](new Request("http://x/"));
    assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
    assertEquals(res.headers.get("content-security-policy"), PAGE_CSP);
    assertEquals(res.headers.get("x-content-type-options"), "nosniff");
    assertEquals(res.headers.get("x-frame-options"), "DENY");
    assertEquals(await res.text(), "<!doctype html><p>hi</p>");
    // read once: a later change on disk is not served
    await Deno.writeTextFile(`${dir}/index.html`, "changed");
    assertEquals(await (await routes["GET /"](new Request("http://x/"))).text(), "<!doctype html><p>hi</p>");
    await assertRejects(() => staticRoutes({ "/x": `${dir}/missing.html` }), Error, `missing.html" for "/x"`);
    await assertRejects(() => staticRoutes({ x: `${dir}/index.html` }), Error, `must start with "/"`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // the policy allows nothing from other origins and no inline script
  for (const part of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) {
    assertStringIncludes(PAGE_CSP, part);
  }
  assertEquals(PAGE_CSP.includes("unsafe-inline"), false);
  assertEquals(PAGE_CSP.includes("http"), false);
});

Deno.test("page assets are served at their path under lib/ with their content types", async () => {
  assertEquals(assetPath(new URL("./pages/ui.js", import.meta.url)), "/assets/serving/pages/ui.js");
  assertThrows(() => assetPath(new URL("file:///etc/passwd")), Error, "is not under");
  const routes = await assetRoutes();
  assertEquals(Object.keys(routes).sort(), ["GET /assets/serving/pages/style.css", "GET /assets/serving/pages/ui.js"]);
  const js = await routes["GET /assets/serving/pages/ui.js"](new Request("http://x/"));
  assertEquals(js.headers.get("content-type"), "text/javascript; charset=utf-8");
  assertStringIncludes(await js.text(), "export function h(");
  assertEquals(contentTypeOf("a/b.CSS"), "text/css; charset=utf-8");
  assertEquals(contentTypeOf("chart.svg"), "image/svg+xml");
  assertEquals(contentTypeOf("blob"), "application/octet-stream");
});

Deno.test("routes: exact keys win over prefix keys; other methods on a page are 405, unknown paths 404", async () => {
  const routes = {
    "GET /charts/*": () => new Response("prefix"),
    "GET /charts/special/*": () => new Response("longer prefix"),
    "GET /charts/index": () => new Response("exact"),
  };
  const text = async (path: string) => await (await matchRoute(routes, "GET", path)!(new Request("http://x"))).text();
  assertEquals(await text("/charts/roc.svg"), "prefix");
  assertEquals(await text("/charts/special/a"), "longer prefix");
  assertEquals(await text("/charts/index"), "exact");
  assertEquals(matchRoute(routes, "GET", "/charts/"), undefined);
  assertEquals(matchRoute(routes, "POST", "/charts/roc.svg"), undefined);
  // a handler whose store is never reached (only page routes are requested): no stand-in behaviour is tested
  const handler = createHandler({ store: {} as ServingStore, routes, log: () => {} });
  assertEquals(await (await handler(new Request("http://x/charts/roc.svg"))).text(), "prefix");
  const head = await handler(new Request("http://x/charts/roc.svg", { method: "HEAD" }));
  assertEquals([head.status, head.body], [200, null]);
  const post = await handler(new Request("http://x/charts/roc.svg", { method: "POST" }));
  assertEquals(post.status, 405);
  await post.body?.cancel();
  const missing = await handler(new Request("http://x/nowhere"));
  assertEquals(missing.status, 404);
  assert((await missing.json()).error.includes("GET /charts/*"));
});
