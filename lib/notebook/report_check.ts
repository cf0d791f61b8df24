/**
 * Checks a rendered notebook report (the HTML `deno task notebooks` writes) opens anywhere and reads well: no
 * `file://` reference, nothing loaded from elsewhere (`src`, stylesheet links, CSS `url(...)`, SVG references
 * other than `#id` and `data:`), no script (the report must read without JavaScript), at most `maxBytes`, and
 * no epoch-millisecond timestamp in a table cell (times are shown as ISO 8601). Links a reader may follow
 * (`<a href="https://...">`) are fine.
 *
 * @example
 * ```ts
 * import { checkReport, describeFindings } from "./report_check.ts";
 * const findings = checkReport(await Deno.readTextFile("reports/eda.html"));
 * if (findings.length) throw new Error(describeFindings("reports/eda.html", findings));
 * ```
 * @module
 */

/** Largest report by default: 1 MB (10^6 bytes). */
export const MAX_REPORT_BYTES = 1_000_000;

/** One problem found in a report. */
export interface ReportFinding {
  kind: "too_big" | "file_url" | "external" | "script" | "epoch_ms";
  /** What was found, e.g. `1.23 MB (over 1 MB)` or `file:///usr/share/javascript/requirejs/require.min.js`. */
  detail: string;
}

/** Options of {@linkcode checkReport}. */
export interface CheckReportOptions {
  /** Largest size in bytes (default {@linkcode MAX_REPORT_BYTES}). */
  maxBytes?: number;
  /** Findings of each kind listed at most (default 3; the count says how many there were). */
  maxPerKind?: number;
}

/** Epoch milliseconds from 2000-01-01 to 2100-01-01: 13-digit numbers a table would show instead of a time. */
const EPOCH_MS_MIN = Date.UTC(2000, 0, 1);
const EPOCH_MS_MAX = Date.UTC(2100, 0, 1);

/**
 * Whether a table cell's text looks like epoch milliseconds (a number from 2000 to 2100 in milliseconds).
 *
 * @example
 * ```ts
 * looksLikeEpochMs("1626370000000"); // true
 * looksLikeEpochMs("2021-07-15T17:26:40Z"); // false
 * ```
 */
export function looksLikeEpochMs(text: string): boolean {
  const t = text.trim().replace(/,/g, "");
  if (!/^\d{12,13}(\.\d+)?$/.test(t)) return false;
  const n = Number(t);
  return n >= EPOCH_MS_MIN && n < EPOCH_MS_MAX;
}

const clip = (s: string, n = 90) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function textOf(html: string): string {
  return html.replace(/<br\s*\/?>[\s\S]*$/i, "").replace(/<[^>]*>/g, "").replace(/&amp;/g, "&").replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").trim();
}

/** Epoch-ms cells of the report's tables, each named by its column (and the table's caption). */
function epochMsCells(html: string): string[] {
  const found: string[] = [];
  for (const [table] of html.matchAll(/<table[\s>][\s\S]*?<\/table>/gi)) {
    const caption = /<caption[^>]*>([\s\S]*?)<\/caption>/i.exec(table);
    const rows = [...table.matchAll(/<tr[\s>][\s\S]*?<\/tr>/gi)].map(([r]) =>
      [...r.matchAll(/<t([dh])[^>]*>([\s\S]*?)<\/t[dh]>/gi)].map((c) => ({ header: c[1] === "h", html: c[2] }))
    );
    const headerRow = rows.find((r) => r.length > 0 && r.every((c) => c.header));
    const names = headerRow?.map((c) => textOf(c.html)) ?? [];
    for (const row of rows) {
      if (row === headerRow) continue;
      row.forEach((cell, j) => {
        const text = textOf(cell.html);
        if (cell.header || !looksLikeEpochMs(text)) return;
        const where = [
          names[j] ? `column "${names[j]}"` : `column ${j + 1}`,
          caption ? `table "${clip(textOf(caption[1]), 60)}"` : "",
        ].filter(Boolean).join(" of ");
        found.push(`${text} in ${where}`);
      });
    }
  }
  return found;
}

/** `src`/`href`/`url()` targets that load something from elsewhere (everything but `#id` and `data:`). */
function externalReferences(html: string): string[] {
  const found: string[] = [];
  const local = (target: string) => /^\s*(#|data:)/i.test(target) || target.trim() === "";
  for (const m of html.matchAll(/<([a-z][\w:-]*)\b[^>]*>/gi)) {
    const tag = m[1].toLowerCase();
    for (
      const a of m[0].matchAll(/\s((?:xlink:)?(?:src|href|srcset|poster|data))\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi)
    ) {
      const target = a[3] ?? a[4] ?? a[5] ?? "";
      const name = a[1].toLowerCase();
      if (name === "data" && tag !== "object") continue;
      if (tag === "a" && name === "href" && !/^\s*file:/i.test(target)) continue; // links a reader may follow
      if (!local(target)) found.push(`<${tag} ${name}="${clip(target)}">`);
    }
  }
  for (const m of html.matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/gi)) {
    if (!local(m[2])) found.push(`url(${clip(m[2])})`);
  }
  for (const m of html.matchAll(/@import\s+(?:url\()?\s*['"]?([^'");\s]+)/gi)) found.push(`@import ${clip(m[1])}`);
  return found;
}

/**
 * The problems of a report (none: it opens anywhere); see the module doc.
 *
 * @example
 * ```ts
 * checkReport('<script src="file:///usr/share/javascript/requirejs/require.min.js"></script>').map((f) => f.kind);
 * // ["file_url", "external", "script"]
 * ```
 */
export function checkReport(html: string, opts: CheckReportOptions = {}): ReportFinding[] {
  const maxBytes = opts.maxBytes ?? MAX_REPORT_BYTES;
  const perKind = opts.maxPerKind ?? 3;
  const findings: ReportFinding[] = [];
  const add = (kind: ReportFinding["kind"], items: string[]) => {
    const unique = [...new Set(items)];
    for (const item of unique.slice(0, perKind)) findings.push({ kind, detail: item });
    if (unique.length > perKind) findings.push({ kind, detail: `and ${unique.length - perKind} more` });
  };
  const bytes = new TextEncoder().encode(html).length;
  if (bytes > maxBytes) {
    findings.push({ kind: "too_big", detail: `${megabytes(bytes)} (over ${megabytes(maxBytes)})` });
  }
  add("file_url", [...html.matchAll(/file:\/\/[^\s"'<>)]*/gi)].map((m) => clip(m[0])));
  add("external", externalReferences(html));
  add("script", [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => clip(m[0])));
  add("epoch_ms", epochMsCells(html));
  return findings;
}

function megabytes(bytes: number): string {
  return `${Number((bytes / 1e6).toPrecision(3))} MB`;
}

const KIND_TEXT: Record<ReportFinding["kind"], string> = {
  too_big: "too big",
  file_url: "file:// reference",
  external: "loads from elsewhere",
  script: "needs a script",
  epoch_ms: "epoch-millisecond timestamp in a table",
};

/**
 * One message naming the report and each finding.
 *
 * @example
 * ```ts
 * describeFindings("reports/eda.html", [{ kind: "too_big", detail: "1.05 MB (over 1 MB)" }]);
 * // 'Report "reports/eda.html" fails its checks: too big: 1.05 MB (over 1 MB)'
 * ```
 */
export function describeFindings(report: string, findings: readonly ReportFinding[]): string {
  return `Report "${report}" fails its checks: ${findings.map((f) => `${KIND_TEXT[f.kind]}: ${f.detail}`).join("; ")}`;
}
