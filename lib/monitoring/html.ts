/**
 * The drift report as one self-contained HTML page: inline CSS, inline SVG charts, no scripts, no external URLs,
 * so it opens offline. A summary line, the score's PSI table, target drift, a table of columns sorted by drift
 * (kind, test, threshold, score, verdict, PSI, missing shares, a small reference-vs-current chart) and a detail
 * section per column. The page is built within a byte budget (default 950,000, under 1 MB however large the data):
 * charts and rows past the budget are left out with a note pointing to the JSON, which always has every column.
 *
 * @example
 * ```ts
 * import { renderDriftHtml } from "./html.ts";
 * // const html = await renderDriftHtml(report);
 * ```
 * @module
 */
import type { ColumnDrift } from "./column_drift.ts";
import type { DriftReport } from "./drift.ts";
import { CURRENT_COLOR, detailChart, REFERENCE_COLOR, sparkline } from "./drift_charts.ts";
import { formatCount, formatShare, formatStat, formatValue } from "./format.ts";
import { PSI_MAJOR, PSI_THRESHOLD } from "./psi.ts";

/** Options of {@link renderDriftHtml}. */
export interface HtmlOptions {
  /** Upper bound on the page's size in bytes (default 950,000). */
  maxBytes?: number;
  /** Page title (default "Data drift report"). */
  title?: string;
  /**
   * Units by column ("$", "years", "%"), shown in the charts' x axis titles ("loan_amnt ($)"); a column without one
   * shows its plain name. A repo's request fields carry them (lib/model/explain.ts `reasonUnits`).
   */
  units?: Readonly<Record<string, string>>;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#666;margin:0}
.summary{border-radius:6px;padding:12px 16px;margin:16px 0}
.summary.drift{background:#fdecea;border:1px solid #f5c2bd}.summary.ok{background:#eaf6ec;border:1px solid #bfe3c6}
.summary p{margin:2px 0}.verdict{font-weight:600;font-size:16px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:middle}
th{background:#f6f6f6;font-weight:600;font-size:13px}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.d td:first-child{border-left:3px solid #d9534f}
.tag{display:inline-block;border-radius:3px;padding:0 6px;font-size:12px}
.tag.d{background:#d9534f;color:#fff}.tag.ok{background:#e6e6e6;color:#333}.tag.na{background:#fff3cd;color:#664d03}
.note{color:#8a6d3b;font-size:12px}
details{border:1px solid #e5e5e5;border-radius:6px;margin:8px 0;padding:6px 12px}
summary{cursor:pointer;font-weight:600}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:8px 0;font-size:13px}dt{color:#666}dd{margin:0}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:middle}
.legend span.line{height:0;width:14px;border-top:2px solid}
footer{color:#666;font-size:12px;margin-top:32px;border-top:1px solid #eee;padding-top:8px}
svg{display:block}
`;

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A threshold as it was set ("0.1", "0.05"). */
function setting(x: number | null): string {
  return formatValue(x);
}

function verdictTag(d: ColumnDrift): string {
  if (d.score === null) return `<span class="tag na">not tested</span>`;
  return d.drifted ? `<span class="tag d">drift</span>` : `<span class="tag ok">no drift</span>`;
}

function anchor(column: string): string {
  return "c-" + column.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}

function comparison(d: ColumnDrift): string {
  return d.score_kind === "p_value"
    ? `p ${d.test === "ks" ? "≤" : "<"} ${setting(d.threshold)}`
    : `≥ ${setting(d.threshold)}`;
}

function facts(d: ColumnDrift): string {
  const items: [string, string][] = [
    ["test", `${escapeHtml(d.test_label)} (${escapeHtml(d.test)}), drift when ${comparison(d)}`],
    ["score", formatStat(d.score)],
  ];
  if (d.statistic !== null) items.push(["statistic", formatValue(d.statistic)]);
  items.push(["PSI", formatStat(d.psi)]);
  items.push([
    "values compared",
    `${formatCount(d.reference_count)} reference, ${formatCount(d.current_count)} current`,
  ]);
  items.push([
    "missing",
    `${formatShare(d.missing_share_reference)} reference, ${formatShare(d.missing_share_current)} current`,
  ]);
  items.push(["distinct in reference", formatCount(d.distinct_reference)]);
  for (const [k, v] of Object.entries(d.details)) {
    items.push([k.replaceAll("_", " "), typeof v === "number" ? formatValue(v) : escapeHtml(v)]);
  }
  if (d.new_categories_count) {
    items.push([
      "new categories",
      escapeHtml(d.new_categories.join(", ")) + (d.new_categories_count > d.new_categories.length ? ", …" : ""),
    ]);
  }
  if (d.note) items.push(["note", escapeHtml(d.note)]);
  return `<dl>${items.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>`;
}

/**
 * Renders the report as HTML within the byte budget.
 *
 * @example
 * ```ts
 * import { renderDriftHtml } from "./html.ts";
 * // await Deno.writeTextFile("drift.html", await renderDriftHtml(report));
 * ```
 */
export async function renderDriftHtml(report: DriftReport, opts: HtmlOptions = {}): Promise<string> {
  const maxBytes = opts.maxBytes ?? 950_000;
  const title = opts.title ?? "Data drift report";
  const enc = new TextEncoder();
  const size = (s: string) => enc.encode(s).byteLength;
  const head = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`,
    `<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">Reference: ${escapeHtml(report.reference.source)} (${formatCount(report.reference.rows)} rows${
      report.reference.profile ? ", saved profile" : ""
    }) · Current: ${escapeHtml(report.current.source)} (${formatCount(report.current.rows)} rows) · ${
      escapeHtml(report.generated_at)
    }</p>`,
    `<section class="summary ${report.dataset_drift ? "drift" : "ok"}"><p class="verdict">${
      report.dataset_drift ? "Dataset drift detected" : "No dataset drift"
    }: ${escapeHtml(report.summary)}</p><p>${
      formatShare(report.drift_share)
    } of the tested columns drifted; the dataset drifts at ${
      formatShare(report.drift_share_threshold)
    } or more.</p></section>`,
  ];
  const parts: string[] = [...head];
  const p = report.prediction_drift;
  if (p) {
    parts.push(`<h2>Score drift: ${escapeHtml(p.column)}</h2>`);
    parts.push(
      `<p>${verdictTag(p)} ${escapeHtml(p.test_label)} ${formatStat(p.score)} (drift when ${comparison(p)}). PSI ${
        formatStat(p.psi)
      }${
        p.psi_verdict ? ` — ${p.psi_verdict}` : ""
      } (stable below ${PSI_THRESHOLD}, moderate shift below ${PSI_MAJOR}, major shift above).</p>`,
    );
    if (report.psi) {
      const rows = report.psi.bins.map((b) => {
        const range = b.category !== undefined
          ? escapeHtml(b.category)
          : `${b.lower === null ? "−∞" : formatValue(b.lower)} &lt; score ≤ ${
            b.upper === null ? "∞" : formatValue(b.upper)
          }`;
        return `<tr><td>${range}</td><td class="n">${formatShare(b.reference_share)}</td><td class="n">${
          formatShare(b.current_share)
        }</td><td class="n">${formatStat(b.contribution)}</td></tr>`;
      });
      parts.push(
        `<table style="max-width:640px"><tr><th>score bin (reference deciles)</th><th>reference</th><th>current</th><th>PSI term</th></tr>${
          rows.join("")
        }<tr><th>total</th><th></th><th></th><th class="n">${formatStat(report.psi.value)}</th></tr></table>`,
      );
    }
  }
  const t = report.target_drift;
  if (t) {
    parts.push(`<h2>Target drift: ${escapeHtml(t.column)}</h2>`);
    const rates = t.rate_reference !== null && t.rate_current !== null
      ? ` Positive class (${escapeHtml(t.column)} = 1): ${formatShare(t.rate_reference)} of reference rows, ${
        formatShare(t.rate_current)
      } of current rows.`
      : "";
    parts.push(
      `<p>${verdictTag(t)} ${escapeHtml(t.test_label)} ${formatStat(t.score)} (drift when ${
        comparison(t)
      }).${rates}</p>`,
    );
  }
  parts.push(`<h2>Columns</h2>`);
  parts.push(
    `<p class="legend">sorted by drift (drifted first, then by score against threshold); charts: share of rows per ` +
      `bin or category,<span class="line" style="border-color:${REFERENCE_COLOR}"></span>reference (line; bars for ` +
      `categories)<span style="background:${CURRENT_COLOR}"></span>current</p>`,
  );
  const footer =
    `<footer>Default tests as Evidently: numbers with more than 5 distinct reference values are numerical; ` +
    `up to 1,000 reference values numerical columns use the two-sample Kolmogorov-Smirnov test (drift when p ≤ 0.05) and ` +
    `categorical ones chi-square (more than 2 values) or a two-proportion Z-test (drift when p &lt; 0.05); above 1,000, the ` +
    `Wasserstein distance divided by the reference's standard deviation (drift when ≥ 0.1) and the Jensen-Shannon ` +
    `distance (≥ 0.1). PSI: bins at reference deciles, drift when ≥ 0.1. Missing values are dropped before a test; a ` +
    `category new in current data counts 0 in reference. All numbers are in drift_report.json.</footer></body></html>`;
  let used = size(parts.join("")) + size(footer) + 2000;
  const rows: string[] = [];
  const details: string[] = [];
  let omittedRows = 0, omittedSmall = 0, omittedDetail = 0;
  // first pass: table rows (with small charts while they fit in 70% of the budget)
  for (const d of report.columns) {
    let chart = "";
    if (d.histogram && used < maxBytes * 0.55) {
      chart = await sparkline(d.histogram);
      if (used + size(chart) > maxBytes * 0.55) {
        chart = "";
        omittedSmall++;
      }
    } else if (d.histogram) omittedSmall++;
    const row = `<tr${d.drifted ? ' class="d"' : ""}><td><a href="#${anchor(d.column)}">${
      escapeHtml(d.column)
    }</a></td><td>${d.kind}</td><td>${escapeHtml(d.test)}</td><td class="n">${comparison(d)}</td><td class="n">${
      formatStat(d.score)
    }</td><td>${verdictTag(d)}${d.note ? ` <span class="note">${escapeHtml(d.note)}</span>` : ""}</td><td class="n">${
      formatStat(d.psi)
    }</td><td class="n">${formatShare(d.missing_share_reference)} → ${
      formatShare(d.missing_share_current)
    }</td><td>${chart}</td></tr>`;
    const s = size(row);
    if (used + s > maxBytes * 0.75) {
      omittedRows++;
      continue;
    }
    rows.push(row);
    used += s;
  }
  parts.push(
    `<table><tr><th>column</th><th>kind</th><th>test</th><th>drift when</th><th>score</th><th>verdict</th><th>PSI</th><th>missing ref → cur</th><th>reference vs current</th></tr>${
      rows.join("")
    }</table>`,
  );
  if (omittedRows) {
    parts.push(`<p class="note">${omittedRows} more columns are in drift_report.json (page size limit).</p>`);
  }
  if (omittedSmall) {
    parts.push(`<p class="note">Small charts left out for ${omittedSmall} columns (page size limit).</p>`);
  }
  if (report.skipped_columns.length) {
    parts.push(
      `<h2>Not tested</h2><ul>${
        report.skipped_columns.map((s) => `<li>${escapeHtml(s.column)}: ${escapeHtml(s.reason)}</li>`).join("")
      }</ul>`,
    );
  }
  // second pass: details with the larger charts while they fit
  used = size(parts.join("")) + size(footer) + 500;
  const detailColumns = [
    ...(p ? [p] : []),
    ...(t ? [t] : []),
    ...report.columns,
  ];
  for (const d of detailColumns) {
    let chart = "";
    if (d.histogram && used < maxBytes) {
      chart = await detailChart(d.column, d.histogram, { unit: opts.units?.[d.column] });
    }
    let section = `<details id="${anchor(d.column)}"${d.drifted ? " open" : ""}><summary>${escapeHtml(d.column)} ${
      verdictTag(d)
    }</summary>${chart}${facts(d)}</details>`;
    if (used + size(section) > maxBytes && chart) {
      section = section.replace(chart, "");
      omittedDetail++;
    }
    if (used + size(section) > maxBytes) {
      omittedDetail++;
      continue;
    }
    details.push(section);
    used += size(section);
  }
  parts.push(`<h2>Details</h2>`);
  if (omittedDetail) {
    parts.push(
      `<p class="note">Detail charts or sections left out for ${omittedDetail} columns (page size limit).</p>`,
    );
  }
  parts.push(details.join(""));
  parts.push(footer);
  return parts.join("\n");
}
