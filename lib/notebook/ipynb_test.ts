import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import {
  cellSource,
  cellsWithOutputs,
  clearNotebookFile,
  clearOutputs,
  endCellsWithNewline,
  formatNotebook,
  type Notebook,
  parseNotebook,
  readNotebook,
} from "./ipynb.ts";
import { listNotebooks } from "./run.ts";

function executed(): Notebook {
  return {
    cells: [
      { cell_type: "markdown", source: ["# Title"], metadata: {} },
      {
        cell_type: "code",
        source: ["const a = 1;\n", "await show(a);"],
        metadata: {},
        execution_count: 3,
        outputs: [{ output_type: "display_data", data: { "text/plain": "1" }, metadata: {} }],
      },
      { cell_type: "code", source: "const b = 2;", metadata: {}, execution_count: null, outputs: [] },
    ],
    metadata: { kernelspec: { name: "deno" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

Deno.test("parseNotebook names the file in its errors", () => {
  assertThrows(() => parseNotebook("{", "x.ipynb"), Error, `Notebook "x.ipynb" is not valid JSON`);
  assertThrows(() => parseNotebook("{}", "x.ipynb"), Error, `Notebook "x.ipynb" has no "cells" list`);
  assertThrows(() => parseNotebook('{"cells": [], "nbformat": 3}', "x.ipynb"), Error, `nbformat "3"`);
  assertThrows(
    () => parseNotebook('{"cells": [{"cell_type": "weird"}], "nbformat": 4}', "x.ipynb"),
    Error,
    `cell 1 has cell_type "weird"`,
  );
});

Deno.test("cellSource joins source lines", () => {
  const nb = executed();
  assertEquals(cellSource(nb.cells[1]), "const a = 1;\nawait show(a);");
  assertEquals(cellSource(nb.cells[2]), "const b = 2;");
});

Deno.test("clearOutputs empties outputs and execution counts of code cells only, leaving the input untouched", () => {
  const nb = executed();
  assertEquals(cellsWithOutputs(nb), [1]);
  const { notebook, cleared } = clearOutputs(nb);
  assertEquals(cleared, 1);
  assertEquals(cellsWithOutputs(notebook), []);
  assertEquals(notebook.cells[1].outputs, []);
  assertEquals(notebook.cells[1].execution_count, null);
  assertEquals(notebook.cells[0], nb.cells[0]);
  assertEquals(nb.cells[1].outputs?.length, 1, "input not modified");
  assertEquals(clearOutputs(notebook).cleared, 0);
});

Deno.test("clearNotebookFile rewrites a notebook with outputs (Jupyter's layout) and leaves a clean one alone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/n.ipynb`;
    await Deno.writeTextFile(path, JSON.stringify(executed()));
    assertEquals(await clearNotebookFile(path), 1);
    const text = await Deno.readTextFile(path);
    assertEquals(text, formatNotebook(endCellsWithNewline(clearOutputs(executed()).notebook).notebook));
    assertStringIncludes(text, '\n "cells": [\n');
    const mtime = (await Deno.stat(path)).mtime;
    assertEquals(await clearNotebookFile(path), 0);
    assertEquals((await Deno.stat(path)).mtime, mtime);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["n.ipynb"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("endCellsWithNewline adds the final newline where it is missing, to list and string sources alike", () => {
  const { notebook, changed } = endCellsWithNewline(executed());
  assertEquals(changed, 3);
  assertEquals(notebook.cells.map((c) => c.source), [
    ["# Title\n"],
    ["const a = 1;\n", "await show(a);\n"],
    "const b = 2;\n",
  ]);
  assertEquals(endCellsWithNewline(notebook).changed, 0);
  const empty: Notebook = { ...executed(), cells: [{ cell_type: "code", source: [], metadata: {} }] };
  assertEquals(endCellsWithNewline(empty).changed, 0);
});

Deno.test("clearNotebookFile ends cells with a newline even when there are no outputs to clear", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/n.ipynb`;
    await Deno.writeTextFile(path, formatNotebook(clearOutputs(executed()).notebook));
    assertEquals(await clearNotebookFile(path), 0);
    assertEquals(endCellsWithNewline(await readNotebook(path)).changed, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the stored notebooks and fixtures hold no outputs (run deno task notebooks --clear)", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  const paths = [
    ...await listNotebooks(`${root}notebooks`),
    ...await listNotebooks(`${root}lib/notebook/testdata`),
  ];
  assertEquals(paths.length >= 4, true, `found ${paths.join(", ")}`);
  for (const path of paths) {
    const nb = await readNotebook(path);
    assertEquals(cellsWithOutputs(nb), [], `${path} holds outputs`);
    // deno fmt --check fails on a cell without a final newline in a fresh clone (see endCellsWithNewline)
    assertEquals(endCellsWithNewline(nb).changed, 0, `${path} has cells without a final newline`);
    assertEquals((nb.metadata.kernelspec as { name?: string })?.name, "deno", `${path} kernel`);
  }
});
