import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import type { Notebook } from "./ipynb.ts";
import { checkReport } from "./report_check.ts";
import {
  jupyterStatus,
  listNotebooks,
  locateCell,
  NbconvertLog,
  NotebookError,
  parseNbconvertFailure,
  runNotebook,
  stripAnsi,
} from "./run.ts";

const nb: Notebook = {
  cells: [
    { cell_type: "markdown", source: "# Title", metadata: {} },
    { cell_type: "code", source: ["const a = 1;"], metadata: {} },
    { cell_type: "markdown", source: "text", metadata: {} },
    { cell_type: "code", source: ['function f() { throw new TypeError("deep <problem>"); }\n', "f();"], metadata: {} },
    {
      cell_type: "code",
      source: ["await new Promise(r => setTimeout(r, 5000));\n", 'console.log("late")'],
      metadata: {},
    },
  ],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5,
};

// The ends of nbconvert 6.5's logs (nbclient 0.7), as captured from failing runs with the Deno kernel.
const ERROR_LOG = `  File "/usr/lib/python3/dist-packages/nbclient/client.py", line 915, in _check_raise_for_error
    raise CellExecutionError.from_cell_and_msg(cell, exec_reply_content)
nbclient.exceptions.CellExecutionError: An error occurred while executing the following cell:
------------------
function f() { throw new TypeError("deep <problem>"); }
f();
------------------

\x1b[31mTypeError\x1b[0m: deep <problem>
    at f (<anonymous>:2:9)
    at <anonymous>:4:1
TypeError: deep <problem>
`;
const TIMEOUT_LOG =
  `nbclient.exceptions.CellTimeoutError: A cell timed out while it was being executed, after 2 seconds.
The message was: Cell execution timed out.
Here is a preview of the cell contents:
-------------------
await new Promise(r => setTimeout(r, 5000));
console.log("late")
-------------------
`;
const DEAD_LOG = `    raise DeadKernelError("Kernel died")
nbclient.exceptions.DeadKernelError: Kernel died
`;

Deno.test("parseNbconvertFailure: a raising cell is located by its source, with the kernel's error and stack", () => {
  const f = parseNbconvertFailure(ERROR_LOG, nb)!;
  assertEquals(f.kind, "error");
  assertEquals(f.cell, 4);
  assertEquals(f.codeCell, 2);
  assertEquals(f.firstLine, 'function f() { throw new TypeError("deep <problem>"); }');
  assertEquals(f.message, "TypeError: deep <problem>\n    at f (<anonymous>:2:9)\n    at <anonymous>:4:1");
});

Deno.test("parseNbconvertFailure: timeouts (by the source preview) and dead kernels (by the last cell started)", () => {
  const t = parseNbconvertFailure(TIMEOUT_LOG, nb)!;
  assertEquals([t.kind, t.cell, t.codeCell], ["timeout", 5, 3]);
  assertStringIncludes(t.message, "longer than 2 s");
  const d = parseNbconvertFailure(DEAD_LOG, nb, 1)!;
  assertEquals([d.kind, d.cell, d.codeCell, d.firstLine], ["dead_kernel", 2, 1, "const a = 1;"]);
  const unknown = parseNbconvertFailure(DEAD_LOG, nb)!;
  assertEquals([unknown.cell, unknown.codeCell], [null, null]);
  assertEquals(parseNbconvertFailure("[NbConvertApp] Writing 100 bytes", nb), null);
});

Deno.test("NotebookError says which notebook, which cell and what the kernel said", () => {
  const e = new NotebookError("notebooks/eda.ipynb", parseNbconvertFailure(ERROR_LOG, nb));
  assertEquals(
    e.message,
    'Notebook "notebooks/eda.ipynb" failed in cell 4 (code cell 2) "function f() { throw new TypeError("deep <problem>"); }":\n' +
      "  TypeError: deep <problem>\n      at f (<anonymous>:2:9)\n      at <anonymous>:4:1",
  );
  assertStringIncludes(new NotebookError("x.ipynb", null, "no kernel").message, 'Notebook "x.ipynb" failed: no kernel');
});

Deno.test("locateCell matches code cells by source (exact, or by prefix when asked)", () => {
  assertEquals(locateCell(nb, "  const a = 1;\n"), 1);
  assertEquals(locateCell(nb, "# Title"), -1, "markdown cells are not code");
  assertEquals(locateCell(nb, "await new Promise(r => setTimeout(r, 5000));"), -1);
  assertEquals(locateCell(nb, "await new Promise(r => setTimeout(r, 5000));", { prefix: true }), 4);
  assertEquals(stripAnsi("\x1b[1m\x1b[31mError\x1b[0m"), "Error");
});

Deno.test("NbconvertLog reports cells as they start and keeps a bounded tail without message contents", () => {
  const started: number[] = [];
  const log = new NbconvertLog(nb, (i) => started.push(i), 200);
  for (
    const line of [
      "[NbConvertApp] Executing cell:",
      "const a = 1;",
      "[NbConvertApp] msg_type: status",
      "[NbConvertApp] content: {'execution_state': 'busy', 'big': '" + "x".repeat(500) + "'}",
      "[NbConvertApp] Executing cell:",
      'function f() { throw new TypeError("deep <problem>"); }',
      "f();",
      "[NbConvertApp] msg_type: error",
    ]
  ) log.line(line);
  assertEquals(started, [1, 3]);
  assertEquals(log.current, 3);
  assert(!log.text.includes("xxxx"), "message contents are not kept");
  for (let i = 0; i < 50; i++) log.line(`line ${i}`);
  assert(log.text.length <= 200 + 10, `tail is bounded: ${log.text.length}`);
  assertStringIncludes(log.text, "line 49");
});

Deno.test("listNotebooks: eda, modeling, monitoring first, then by name; --only picks; unknown names are errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const n of ["zeta", "modeling", "alpha", "eda", ".hidden"]) {
      await Deno.writeTextFile(`${dir}/${n}.ipynb`, "{}");
    }
    await Deno.writeTextFile(`${dir}/notes.md`, "");
    const names = (await listNotebooks(dir)).map((p) => p.slice(dir.length + 1));
    assertEquals(names, ["eda.ipynb", "modeling.ipynb", "alpha.ipynb", "zeta.ipynb"]);
    assertEquals((await listNotebooks(dir, { only: ["zeta", "eda.ipynb"] })).map((p) => p.slice(dir.length + 1)), [
      "eda.ipynb",
      "zeta.ipynb",
    ]);
    await assertRejects(() => listNotebooks(dir, { only: ["nope"] }), Error, `No notebook "nope"`);
    await assertRejects(() => listNotebooks(`${dir}/missing`), Error, "does not exist");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// Runs Jupyter for real (nbconvert with the Deno kernel); skipped loudly when absent, an error in CI.
const jupyter = await jupyterStatus();
if (!jupyter.available) {
  if (Deno.env.get("CI") === "true") throw new Error(`CI needs Jupyter for the notebook tests: ${jupyter.reason}`);
  console.warn(`%cSKIPPING the Jupyter runs of lib/notebook/run_test.ts: ${jupyter.reason}`, "color: red");
}
const fixtures = new URL("./testdata/", import.meta.url).pathname;

Deno.test({
  name: "runNotebook (real Jupyter): the report appears whole, with the kernel's settings, tables and charts",
  ignore: !jupyter.available,
  async fn() {
    const out = await Deno.makeTempDir();
    try {
      const cells: number[] = [];
      const run = await runNotebook({
        notebook: `${fixtures}passing.ipynb`,
        outDir: out,
        env: { NOTEBOOK_ROWS: "4321" },
        timeoutSeconds: 120,
        onCell: (_, code) => cells.push(code),
      });
      assertEquals(run.html, `${out}/passing.html`);
      assertEquals(run.codeCells, 4);
      assertEquals(cells, [1, 2, 3, 4]);
      const html = await Deno.readTextFile(run.html);
      assertStringIncludes(html, "rows setting: 4321");
      assertStringIncludes(html, "&lt;b&gt;escaped&lt;/b&gt;");
      assertStringIncludes(html, "steps: 3 / 3 steps (100%)");
      assert(/<div class="nb-chart"[^>]*><svg[^>]*>.*<path/s.test(html), "the chart is an inline SVG with its marks");
      // the report template: our stylesheet inlined, nothing loaded from elsewhere, no script
      assertEquals(checkReport(html), []);
      assertStringIncludes(html, "<title>passing</title>");
      assertStringIncludes(html, "main.jp-Notebook {");
      assert(html.length < 60_000, `a small report: ${html.length} characters`);
      assertEquals([...Deno.readDirSync(out)].map((e) => e.name), ["passing.html"], "no temporary files left");
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name: "runNotebook (real Jupyter): a failing cell is named, and no report is written",
  ignore: !jupyter.available,
  async fn() {
    const out = await Deno.makeTempDir();
    try {
      const err = await assertRejects(
        () => runNotebook({ notebook: `${fixtures}failing.ipynb`, outDir: out, timeoutSeconds: 120 }),
        NotebookError,
      );
      assertEquals(err.failure?.kind, "error");
      assertEquals(err.failure?.cell, 4);
      assertEquals(err.failure?.codeCell, 3);
      assertEquals(err.failure?.firstLine, "function explode(): never {");
      assertStringIncludes(err.message, 'failing.ipynb" failed in cell 4 (code cell 3)');
      assertStringIncludes(err.message, "RangeError: deliberate failure <42>");
      assertEquals([...Deno.readDirSync(out)], [], "no report and no temporary folder");
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test("runNotebook: a missing Jupyter command is reported with how to install it", async () => {
  await assertRejects(
    () => runNotebook({ notebook: `${fixtures}passing.ipynb`, outDir: "/tmp", jupyter: "no-such-jupyter-command" }),
    Error,
    "is not installed: apt-get install jupyter-nbconvert",
  );
  const status = await jupyterStatus("no-such-jupyter-command");
  assertEquals(status.available, false);
  assertStringIncludes(status.reason!, "apt-get install");
});
