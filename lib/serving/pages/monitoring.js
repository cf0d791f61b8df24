/**
 * The monitoring page: reads `/api/monitoring` and shows the champion's metrics and charts and the latest drift
 * report. Every value is inserted as text.
 *
 * @module
 */
import { fetchJson, h, number, percent, replace, timestamp } from "./ui.js";

/** Metric labels and formats, in the order the cards show them. */
const HEADLINE = [
  ["test_auc", "ROC AUC", "number"],
  ["test_ks", "KS statistic", "number"],
  ["test_recall", "Recall of the positive class at threshold", "percent"],
  ["test_precision", "Precision at threshold", "percent"],
  ["threshold", "Threshold (probability)", "percent"],
  ["test_approval_rate", "Approval rate", "percent"],
];

/** Labels of the other known metrics. @type {Record<string, string>} */
const OTHER = {
  test_pr_auc: "PR AUC",
  test_gini: "Gini",
  test_brier: "Brier score",
  test_ece: "Expected calibration error",
  val_auc_final: "Validation ROC AUC",
  train_seconds: "Training time (seconds)",
};

/** Chart captions by artifact name. @type {Record<string, string>} */
const CHARTS = {
  roc: "ROC curve (test set)",
  pr: "Precision–recall curve (test set)",
  score_distribution: "Score distribution with the threshold",
  confusion: "Confusion matrix at the threshold",
  calibration: "Calibration (test set)",
  training_curve: "Training curve",
};

/**
 * A test score, threshold or PSI with four decimals, as the drift report writes them ("0.1670"); tiny p-values in
 * scientific notation.
 *
 * @param {unknown} x
 */
function stat(x) {
  if (typeof x !== "number" || !Number.isFinite(x)) return "–";
  return x !== 0 && Math.abs(x) < 1e-4 ? x.toExponential(2) : x.toFixed(4);
}

/**
 * The PSI verdicts' thresholds as the report recorded them: "; stable below 0.1, major shift from 0.25" ("" when the
 * report has none).
 *
 * @param {{ moderate: number, major: number } | null} t
 */
function psiScale(t) {
  return t ? `; stable below ${t.moderate}, major shift from ${t.major}` : "";
}

/**
 * @param {unknown} value
 * @param {string} format
 */
function formatMetric(value, format) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "–";
  return format === "percent" ? percent(value, 1) : value.toFixed(3);
}

/** @param {any} model */
function renderModel(model) {
  const box = /** @type {HTMLElement} */ (document.getElementById("model"));
  const c = model.champion;
  if (!c) {
    replace(box, h("p", { class: "notice", id: "model-problem" }, model.problem ?? "No champion model."));
    return;
  }
  const facts = h(
    "p",
    { class: "muted" },
    `${c.name} version ${c.version}`,
    c.aliases.length ? ` (${c.aliases.join(", ")})` : "",
    c.tags.model_type ? ` · ${c.tags.model_type}` : "",
    c.tags.data ? ` on ${c.tags.data} data` : "",
    ` · trained ${timestamp(c.run?.end_time ?? c.registered_at)}`,
    c.policy ? ` · threshold chosen for ${c.policy}` : "",
  );
  const served = model.served_version !== null && model.served_version !== c.version
    ? h(
      "p",
      { class: "notice" },
      `This server scores with version ${model.served_version}; restart it to score with the champion.`,
    )
    : model.served_version === null
    ? h("p", { class: "notice" }, "This server has no model loaded; restart it to score with the champion.")
    : null;
  const cards = h(
    "dl",
    { class: "metrics", id: "metrics" },
    ...HEADLINE.map(([key, label, format]) =>
      h(
        "div",
        { class: "metric", "data-metric": key },
        h("dt", {}, label),
        h("dd", {}, formatMetric(key === "threshold" ? c.threshold ?? c.metrics[key] : c.metrics[key], format)),
      )
    ),
  );
  const shown = new Set(HEADLINE.map(([k]) => k));
  // the per-segment figures have their own table
  const rest = Object.entries(c.metrics).filter(([k]) => !shown.has(k) && !k.startsWith("segment"));
  const more = rest.length
    ? h(
      "details",
      {},
      h("summary", {}, "More metrics"),
      h(
        "table",
        {},
        h(
          "tbody",
          {},
          ...rest.map(([k, v]) => h("tr", {}, h("th", {}, OTHER[k] ?? k), h("td", { class: "num" }, number(v, 4)))),
        ),
      ),
    )
    : null;
  const order = Object.keys(CHARTS);
  const rank = (/** @type {string} */ name) => (order.includes(name) ? order.indexOf(name) : order.length);
  c.charts.sort((/** @type {any} */ a, /** @type {any} */ b) => rank(a.name) - rank(b.name));
  const charts = c.charts.length
    ? h(
      "div",
      { class: "charts" },
      ...c.charts.map((/** @type {{ name: string, url: string }} */ chart) =>
        h(
          "figure",
          {},
          h("img", { src: chart.url, alt: CHARTS[chart.name] ?? chart.name, loading: "lazy" }),
          h("figcaption", {}, CHARTS[chart.name] ?? chart.name),
        )
      ),
    )
    : h("p", { class: "muted" }, "The run saved no charts.");
  replace(
    box,
    facts,
    c.description ? h("p", {}, c.description) : null,
    served,
    cards,
    more,
    renderSegments(c.segments),
    h("h3", {}, "Charts"),
    charts,
  );
}

/**
 * The fairness table: test metrics by segment with 95% bootstrap intervals and the approval-rate ratio.
 * @param {any} report
 */
function renderSegments(report) {
  if (!report) return null;
  const ci = (/** @type {any} */ e) =>
    typeof e?.value !== "number"
      ? "–"
      : `${percent(e.value, 1)}${typeof e.low === "number" ? ` (${percent(e.low, 1)}–${percent(e.high, 1)})` : ""}`;
  const auc = (/** @type {any} */ e) =>
    typeof e?.value !== "number"
      ? "–"
      : `${e.value.toFixed(3)}${typeof e.low === "number" ? ` (${e.low.toFixed(3)}–${e.high.toFixed(3)})` : ""}`;
  const rows = report.segments.flatMap((/** @type {any} */ t) =>
    t.rows.map((/** @type {any} */ r) =>
      h(
        "tr",
        { class: r.flagged ? "flagged" : "" },
        h("th", { scope: "row" }, `${t.segment}: ${r.value}`),
        h("td", { class: "num" }, number(r.n, 0)),
        h("td", { class: "num" }, number(r.defaults, 0)),
        h("td", { class: "num" }, ci(r.recall)),
        h("td", { class: "num" }, ci(r.precision)),
        h("td", { class: "num" }, ci(r.approval_rate)),
        h("td", { class: "num" }, auc(r.roc_auc)),
        h(
          "td",
          { class: "num" },
          typeof r.approval_ratio === "number" ? r.approval_ratio.toFixed(2) : "–",
          r.flagged ? ` under ${report.ratio_floor}` : r.n < report.min_rows ? " (few rows)" : "",
        ),
      )
    )
  );
  const flagged = report.flagged.length
    ? h(
      "p",
      { class: "alert", id: "segments-flagged" },
      `Approval-rate ratio under ${report.ratio_floor} (four-fifths rule): ${
        report.flagged.map((/** @type {any} */ f) => `${f.segment} ${f.value} (${f.approval_ratio.toFixed(2)})`)
          .join(", ")
      }`,
    )
    : h("p", { class: "notice-ok", id: "segments-flagged" }, `No approval-rate ratio under ${report.ratio_floor}.`);
  return h(
    "section",
    { id: "segments" },
    h("h3", {}, "Fairness by segment (test set)"),
    flagged,
    h(
      "table",
      {},
      h(
        "caption",
        {},
        `At the threshold; 95% intervals from ${report.resamples} bootstrap resamples; ratio = approval rate over the ` +
          `best segment's`,
      ),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Segment", "Rows", "Positives", "Recall", "Precision", "Approval rate", "ROC AUC", "Approval ratio"].map((
            x,
          ) => h("th", { scope: "col" }, x)),
        ),
      ),
      h("tbody", {}, ...rows),
    ),
  );
}

/** @param {any} drift */
function renderDrift(drift) {
  const box = /** @type {HTMLElement} */ (document.getElementById("drift"));
  const r = drift.report;
  if (!r) {
    replace(box, h("p", { class: "notice", id: "drift-problem" }, drift.problem ?? "No drift report yet."));
    return;
  }
  const share = r.drift_share ?? (r.n_columns ? r.n_drifted / r.n_columns : null);
  const summary = h(
    "p",
    { id: "drift-summary", class: r.dataset_drift ? "alert" : "notice-ok" },
    h("strong", {}, r.dataset_drift ? "Dataset drift detected: " : "No dataset drift: "),
    `${r.n_drifted} of ${r.n_columns} columns drifted (${percent(share, 1)}; the dataset drifts at ${
      percent(r.drift_share_threshold ?? 0.5, 1)
    }).`,
  );
  const psi = r.score_psi
    ? h(
      "p",
      { id: "drift-score-psi" },
      h("strong", {}, `Score PSI (${r.score_psi.column}): `),
      stat(r.score_psi.value),
      r.score_psi.verdict ? ` (${r.score_psi.verdict}${psiScale(r.score_psi.thresholds)})` : "",
    )
    : null;
  const side = (/** @type {{ source: string, rows: number | null }} */ x) =>
    `${x.source || "–"}${x.rows === null ? "" : ` (${number(x.rows, 0)} rows)`}`;
  const about = h(
    "p",
    { class: "muted" },
    `Reference: ${side(r.reference)} · Current: ${side(r.current)} · Generated ${timestamp(r.generated_at)}`,
  );
  const link = drift.html_url
    ? h("p", {}, h("a", { href: drift.html_url, id: "drift-link" }, "Open the full drift report"))
    : null;
  const extra = [["Prediction drift", r.prediction_drift], ["Target drift", r.target_drift]]
    .filter(([, v]) => v)
    .map(([label, v]) =>
      h(
        "p",
        {},
        h("strong", {}, `${label}: `),
        v.drifted === true ? "drift" : v.drifted === false ? "no drift" : "",
        typeof v.score === "number" ? ` (score ${stat(v.score)}${v.test ? `, ${v.test}` : ""})` : "",
      )
    );
  const table = h(
    "table",
    { id: "drift-columns" },
    h("caption", { class: "visually-hidden" }, "Columns by drift score"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Column"),
        h("th", { scope: "col" }, "Kind"),
        h("th", { scope: "col" }, "Test"),
        h("th", { scope: "col", class: "num" }, "Score"),
        h("th", { scope: "col", class: "num" }, "Threshold"),
        h("th", { scope: "col" }, "Verdict"),
        h("th", { scope: "col", class: "num" }, "Missing (ref → cur)"),
        h("th", { scope: "col" }, "Notes"),
      ),
    ),
    h(
      "tbody",
      {},
      ...r.columns.map((/** @type {any} */ c) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, c.column),
          h("td", {}, c.kind),
          h("td", {}, c.test),
          h("td", { class: "num" }, stat(c.score)),
          h("td", { class: "num" }, number(c.threshold, 4)),
          h("td", {}, h("span", { class: c.drifted ? "tag bad" : "tag good" }, c.drifted ? "Drift" : "No drift")),
          h("td", { class: "num" }, `${percent(c.missing_share_reference)} → ${percent(c.missing_share_current)}`),
          h(
            "td",
            {},
            [c.new_categories.length ? `new: ${c.new_categories.join(", ")}` : "", c.note ?? ""].filter(Boolean).join(
              "; ",
            ),
          ),
        )
      ),
    ),
  );
  replace(box, summary, psi, about, link, ...extra, table);
}

/** Headlines of the monitor's decisions. @type {Record<string, string>} */
const DECISIONS = {
  promoted: "Challenger promoted",
  kept_champion: "Champion kept",
  dry_run_would_promote: "Dry run: the challenger would be promoted",
  dry_run_would_keep: "Dry run: the champion would be kept",
  no_drift: "No retraining",
};

/**
 * The two signals the monitor decided on, each with its threshold: the score's PSI and the share of drifted columns.
 * @param {any} t
 */
function renderTrigger(t) {
  if (!t) return null;
  const row = (/** @type {string} */ label, /** @type {string} */ value, /** @type {string} */ at, reached) =>
    h(
      "tr",
      {},
      h("th", { scope: "row" }, label),
      h("td", { class: "num" }, value),
      h("td", { class: "num" }, at),
      h("td", {}, h("span", { class: reached ? "tag bad" : "tag good" }, reached ? "Reached" : "Below")),
    );
  return h(
    "table",
    { id: "retraining-trigger" },
    h(
      "caption",
      {},
      `What the monitor decided on: either signal at its threshold retrains${
        t.forced ? " (retraining was forced)" : ""
      }`,
    ),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["Signal", "Value", "Retrains at", ""].map((x) => h("th", { scope: "col" }, x)),
      ),
    ),
    h(
      "tbody",
      {},
      row(
        "Score PSI",
        t.score_psi === null ? "– (no score column)" : stat(t.score_psi),
        `≥ ${stat(t.psi_threshold)}`,
        t.score_shift,
      ),
      row(
        "Share of drifted columns",
        percent(t.drift_share, 1),
        `≥ ${percent(t.drift_share_threshold, 1)}`,
        t.dataset_drift,
      ),
    ),
  );
}

/** @param {any} drift */
function renderRetraining(drift) {
  const box = /** @type {HTMLElement} */ (document.getElementById("retraining"));
  const t = drift.report?.retraining;
  if (!t) {
    replace(
      box,
      h(
        "p",
        { class: "muted", id: "retraining-none" },
        "No retraining decision with this report: deno task monitor records one (deno task drift does not).",
      ),
    );
    return;
  }
  const headline = h(
    "p",
    { id: "retraining-decision", class: t.decision === "promoted" ? "alert" : "notice-ok" },
    h("strong", {}, `${DECISIONS[t.decision] ?? t.decision}`),
    t.champion_after !== null ? ` · champion now version ${t.champion_after}` : "",
  );
  const c = t.comparison;
  const table = c
    ? h(
      "table",
      { id: "retraining-comparison" },
      h("caption", {}, `${c.metric} on the ${number(c.holdout_rows, 0)} newest labelled rows`),
      h(
        "tbody",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "row" }, `Champion (version ${t.champion_before ?? "–"})`),
          h("td", { class: "num" }, number(c.champion, 4)),
        ),
        h(
          "tr",
          {},
          h("th", { scope: "row" }, `Challenger (version ${t.challenger ?? "–"})`),
          h("td", { class: "num" }, number(c.challenger, 4)),
        ),
        h(
          "tr",
          {},
          h("th", { scope: "row" }, `Improvement (margin ${number(c.margin, 4)})`),
          h("td", { class: "num" }, number(c.improvement, 4)),
        ),
      ),
    )
    : null;
  const policy = c?.policy
    ? h("p", { id: "retraining-policy", class: c.policy.met ? "notice-ok" : "alert" }, c.policy.text)
    : null;
  const decay = c?.decay
    ? h("p", { id: "retraining-decay", class: c.decay.decayed ? "alert" : "muted" }, c.decay.text)
    : null;
  replace(
    box,
    headline,
    renderTrigger(t.trigger),
    h("p", { id: "retraining-explanation" }, t.explanation),
    table,
    policy,
    decay,
    t.monitor_run_id ? h("p", { class: "muted" }, `Monitor run ${t.monitor_run_id}`) : null,
  );
}

async function main() {
  const { ok, body } = await fetchJson("/api/monitoring");
  if (!ok || !body) {
    const message = body?.error ?? "The monitoring data cannot be loaded.";
    for (const id of ["model", "retraining", "drift"]) {
      replace(/** @type {HTMLElement} */ (document.getElementById(id)), h("p", { class: "alert" }, message));
    }
    return;
  }
  renderModel(body.model);
  renderRetraining(body.drift);
  renderDrift(body.drift);
}

main();
