import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import {
  cellSource,
  cellsWithOutputs,
  clearNotebookFile,
  clearOutputs,
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
    assertEquals(text, formatNotebook(clearOutputs(executed()).notebook));
    assertStringIncludes(text, '\n "cells": [\n');
    const mtime = (await Deno.stat(path)).mtime;
    assertEquals(await clearNotebookFile(path), 0);
    assertEquals((await Deno.stat(path)).mtime, mtime);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["n.ipynb"]);
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
    assertEquals((nb.metadata.kernelspec as { name?: string })?.name, "deno", `${path} kernel`);
  }
});
