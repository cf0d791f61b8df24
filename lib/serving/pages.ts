/**
 * Web pages of the server without a build step: static HTML/CSS/JS files read once at start-up and answered with
 * their content type and security headers (a Content-Security-Policy that allows nothing from other origins, no
 * inline script, `nosniff`, no referrer, no framing). Generated documents such as a self-contained HTML report get
 * a stricter sandboxed policy ({@link REPORT_CSP}).
 *
 * @example
 * ```ts
 * import { staticRoutes } from "./pages.ts";
 * const routes = await staticRoutes({ "/": new URL("./pages/monitoring.html", import.meta.url) });
 * // createHandler({ store, routes })
 * ```
 * @module
 */
import type { Routes } from "./server.ts";

/** Content types by file extension. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  json: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  txt: "text/plain; charset=utf-8",
};

/**
 * Policy of our own pages: scripts, styles, images and requests from this server only (images also as `data:`),
 * no inline script, no plug-ins, no `<base>`, forms post here only, not framed by others.
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * Policy of generated documents (a self-contained report, an SVG chart): inline styles and scripts may run, but in
 * a sandbox (an opaque origin), with nothing loaded or sent anywhere except images inlined as `data:`.
 */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; " +
  "img-src 'self' data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'; " +
  "frame-ancestors 'self'; sandbox allow-scripts";

/**
 * The content type of a file name (by extension; unknown ones are `application/octet-stream`).
 *
 * @example
 * ```ts
 * import { contentTypeOf } from "./pages.ts";
 * contentTypeOf("style.css"); // "text/css; charset=utf-8"
 * ```
 */
export function contentTypeOf(name: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase() ?? "";
  return CONTENT_TYPES[ext] ?? "application/octet-stream";
}

/**
 * Security headers of a page or document answer.
 *
 * @example
 * ```ts
 * import { PAGE_CSP, securityHeaders } from "./pages.ts";
 * new Response("<p>hi</p>", { headers: securityHeaders("text/html; charset=utf-8", { csp: PAGE_CSP }) });
 * ```
 */
export function securityHeaders(
  contentType: string,
  opts: { csp?: string; cacheControl?: string } = {},
): Record<string, string> {
  return {
    "content-type": contentType,
    "content-security-policy": opts.csp ?? PAGE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": opts.csp === REPORT_CSP ? "SAMEORIGIN" : "DENY",
    "cache-control": opts.cacheControl ?? "no-cache",
  };
}

/**
 * An answer carrying a file's bytes with its content type (from `name`) and the security headers.
 *
 * @example
 * ```ts
 * import { fileResponse, REPORT_CSP } from "./pages.ts";
 * fileResponse(new TextEncoder().encode("<svg/>"), "roc.svg", { csp: REPORT_CSP });
 * ```
 */
export function fileResponse(
  bytes: Uint8Array,
  name: string,
  opts: { csp?: string; cacheControl?: string; status?: number } = {},
): Response {
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    status: opts.status ?? 200,
    headers: securityHeaders(contentTypeOf(name), opts),
  });
}

/**
 * GET routes for static files: URL path → file (a `file:` URL or a path). Every file is read once, now (a missing
 * file is an error naming it), so nothing outside the listed files can ever be served.
 *
 * @example
 * ```ts
 * import { staticRoutes } from "./pages.ts";
 * const routes = await staticRoutes({ "/monitoring": new URL("./pages/monitoring.html", import.meta.url) });
 * ```
 */
export async function staticRoutes(files: Record<string, URL | string>): Promise<Routes> {
  const routes: Routes = {};
  for (const [path, file] of Object.entries(files)) {
    if (!path.startsWith("/")) throw new Error(`Page path "${path}" must start with "/"`);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(file);
    } catch (err) {
      throw new Error(`Page file "${String(file)}" for "${path}" cannot be read: ${(err as Error).message}`);
    }
    const name = String(file);
    routes[`GET ${path}`] = () => fileResponse(bytes, name);
  }
  return routes;
}

/** The folder page assets are served from: `/assets/<path under lib/>` (so relative imports between scripts work). */
const LIB_ROOT = new URL("../", import.meta.url);

/**
 * The URL path of a page asset under lib/: `lib/serving/pages/ui.js` → `/assets/serving/pages/ui.js`. Scripts can
 * then import each other with the same relative paths on disk and in the browser.
 *
 * @example
 * ```ts
 * import { assetPath } from "./pages.ts";
 * assetPath(new URL("./pages/ui.js", import.meta.url)); // "/assets/serving/pages/ui.js"
 * ```
 */
export function assetPath(file: URL): string {
  if (!file.href.startsWith(LIB_ROOT.href)) {
    throw new Error(`Page asset "${file.href}" is not under "${LIB_ROOT.href}"`);
  }
  return `/assets/${file.href.slice(LIB_ROOT.href.length)}`;
}

/** The assets every page uses: the stylesheet and the DOM helpers. */
export const COMMON_ASSETS: readonly URL[] = [
  new URL("./pages/style.css", import.meta.url),
  new URL("./pages/ui.js", import.meta.url),
];

/**
 * GET routes of page assets (by default {@link COMMON_ASSETS}), each at its {@link assetPath}.
 *
 * @example
 * ```ts
 * import { assetRoutes } from "./pages.ts";
 * const routes = { ...(await assetRoutes()), ...(await assetRoutes([new URL("./pages/monitoring.js", import.meta.url)])) };
 * ```
 */
export function assetRoutes(files: readonly URL[] = COMMON_ASSETS): Promise<Routes> {
  return staticRoutes(Object.fromEntries(files.map((f) => [assetPath(f), f])));
}
