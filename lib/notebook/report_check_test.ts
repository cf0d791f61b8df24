import { assertEquals } from "@std/assert";
import { checkReport, describeFindings, looksLikeEpochMs, MAX_REPORT_BYTES } from "./report_check.ts";
import { tableBundle } from "./display.ts";

const page = (body: string, head = "<style>body{margin:0}</style>") =>
  `<!DOCTYPE html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;

Deno.test("checkReport: a self-contained page with tables, inline SVG, data URIs, #ids and links passes", () => {
  const body = tableBundle([{ at: "2021-07-15T17:26:40Z", n: 1 }])["text/html"] +
    '<svg><defs><clipPath id="c"/></defs><g clip-path="url(#c)"><use href="#c"/></g></svg>' +
    '<img src="data:image/png;base64,AAAA"><a href="https://docs.feast.dev/">Feast</a><a href="#top">top</a>';
  assertEquals(checkReport(page(body)), []);
});

Deno.test("checkReport: nbconvert's lab page (file:// RequireJS and MathJax) fails on file://, external and script", () => {
  const head = '<script src="file:///usr/share/javascript/requirejs/require.min.js"></script>' +
    '<script src="file:///usr/share/javascript/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"> </script>' +
    '<script type="text/x-mathjax-config">init_mathjax()</script>';
  const findings = checkReport(page("<p>x</p>", head));
  assertEquals(findings.map((f) => f.kind), [
    "file_url",
    "file_url",
    "external",
    "external",
    "script",
    "script",
    "script",
  ]);
  assertEquals(findings[0].detail, "file:///usr/share/javascript/requirejs/require.min.js");
  assertEquals(findings[2].detail, '<script src="file:///usr/share/javascript/requirejs/require.min.js">');
});

Deno.test("checkReport: stylesheets, fonts, images and imports from elsewhere are external; a file: link too", () => {
  const html = page(
    '<link rel="stylesheet" href="https://cdn.example/x.css"><img src="chart.png">' +
      "<style>@import 'theme.css'; .a{background:url(\"img/bg.png\")}</style>" +
      '<a href="file:///home/me/report.html">local</a>',
  );
  const found = checkReport(html, { maxPerKind: 10 }).filter((f) => f.kind === "external").map((f) => f.detail);
  assertEquals(found, [
    '<link href="https://cdn.example/x.css">',
    '<img src="chart.png">',
    '<a href="file:///home/me/report.html">',
    "url(img/bg.png)",
    "@import theme.css",
  ]);
});

Deno.test("checkReport: size over the limit, in MB", () => {
  const big = page("x".repeat(MAX_REPORT_BYTES));
  assertEquals(checkReport(big).map((f) => [f.kind, f.detail]), [["too_big", "1 MB (over 1 MB)"]]);
  assertEquals(checkReport(page("é".repeat(600))).length, 0);
  assertEquals(
    checkReport("é".repeat(600), { maxBytes: 1000 })[0].detail,
    "0.0012 MB (over 0.001 MB)",
    "bytes, not characters",
  );
});

Deno.test("checkReport: epoch milliseconds in a table are named by column and caption; ISO times and ids are not", () => {
  const rows = [
    { loan_id: 10001, amount: 1626370000000, at: "2021-07-15T17:26:40Z", code: "1626370000000x" },
    { loan_id: 10002, amount: 1623920000000.5, at: "2021-06-17T09:33:20Z", code: "y" },
  ];
  const html = page(tableBundle(rows, { caption: "The applications", types: false })["text/html"]);
  const findings = checkReport(html);
  assertEquals(findings.map((f) => f.detail), [
    '1626370000000 in column "amount" of table "The applications"',
    '1623920000000 in column "amount" of table "The applications"',
  ]);
  assertEquals(
    describeFindings("reports/modeling.html", findings.slice(0, 1)),
    'Report "reports/modeling.html" fails its checks: epoch-millisecond timestamp in a table: ' +
      '1626370000000 in column "amount" of table "The applications"',
  );
});

Deno.test("checkReport: many findings of one kind are listed up to maxPerKind, then counted", () => {
  const html = page(Array.from({ length: 5 }, (_, i) => `<img src="a${i}.png">`).join(""));
  const external = checkReport(html, { maxPerKind: 2 }).map((f) => f.detail);
  assertEquals(external, ['<img src="a0.png">', '<img src="a1.png">', "and 3 more"]);
});

Deno.test("looksLikeEpochMs: 13-digit numbers from 2000 to 2100 only", () => {
  assertEquals(looksLikeEpochMs(" 1626370000000 "), true);
  assertEquals(looksLikeEpochMs("1,626,370,000,000"), true);
  assertEquals(looksLikeEpochMs("1626370000000.25"), true);
  assertEquals(looksLikeEpochMs("1626370000"), false, "seconds are not milliseconds");
  assertEquals(looksLikeEpochMs("9999999999999"), false, "after 2100");
  assertEquals(looksLikeEpochMs("2021-07-15"), false);
  assertEquals(looksLikeEpochMs(""), false);
});
