import { assert, assertEquals, assertMatch, assertRejects, assertStringIncludes } from "@std/assert";
import { DisplayProgress, notebookProgress } from "./progress.ts";
import type { DisplaySink, MimeBundle } from "./display.ts";

interface Call {
  bundle: MimeBundle;
  displayId?: string;
  update?: boolean;
}

function recorder(): { sink: DisplaySink; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    sink: {
      display(bundle, opts = {}) {
        calls.push({ bundle, ...opts });
        return Promise.resolve();
      },
    },
  };
}

Deno.test("DisplayProgress: one display, then throttled in-place updates to the same id, final state awaited", async () => {
  const { sink, calls } = recorder();
  let now = 0;
  const p = new DisplayProgress({
    label: "loans <a>",
    total: 1000,
    unit: "rows",
    sink,
    intervalMs: 250,
    now: () => now,
  });
  now = 100;
  p.update(100); // within 250 ms of the first draw: not drawn
  now = 300;
  p.update(300); // drawn
  now = 400;
  p.add(100); // 400, within 250 ms of the last draw: not drawn
  now = 2000;
  const seconds = await p.done();
  assertEquals(seconds, 2);
  assertEquals(calls.length, 3);
  assertEquals(calls.map((c) => c.update), [false, true, true]);
  assert(calls.every((c) => c.displayId === p.displayId), "all to one display id");
  assertEquals(calls[1].bundle["text/plain"], "loans <a>: 300 / 1000 rows (30%), 1000/s, 0.3s elapsed, 0.7s left");
  assertEquals(calls[2].bundle["text/plain"], "loans <a>: 400 / 1000 rows (40%), 200/s, done in 2.0 s");
  assertStringIncludes(calls[2].bundle["text/html"], "loans &lt;a&gt;");
  assertMatch(calls[1].bundle["text/html"], /width:30\.0%/);
  assertMatch(calls[2].bundle["text/html"], /width:40\.0%/);
});

Deno.test("DisplayProgress: two progresses get different display ids; without a total there is no bar", async () => {
  const a = recorder();
  const b = recorder();
  const p1 = new DisplayProgress({ label: "a", sink: a.sink });
  const p2 = new DisplayProgress({ label: "b", sink: b.sink });
  assert(p1.displayId !== p2.displayId);
  p2.update(5);
  await p1.done();
  await p2.done();
  assert(!a.calls[0].bundle["text/html"].includes("width:"), "no bar without total");
  assertStringIncludes(b.calls[b.calls.length - 1].bundle["text/plain"], "b: 5 rows");
});

Deno.test("DisplayProgress: a failing display surfaces on done()", async () => {
  const p = new DisplayProgress({
    label: "x",
    sink: { display: () => Promise.reject(new Error("kernel gone")) },
  });
  await assertRejects(() => p.done(), Error, "kernel gone");
});

Deno.test("notebookProgress outside Jupyter is lib/cli's progress (here writing quiet lines)", async () => {
  const lines: string[] = [];
  const p = notebookProgress({ label: "people", total: 4, cli: { mode: "lines", write: (t) => lines.push(t) } });
  for (let i = 1; i <= 4; i++) p.update(i);
  const seconds = await p.done();
  assert(seconds >= 0);
  assert(lines.length >= 2, `lines: ${JSON.stringify(lines)}`);
  assertStringIncludes(lines[lines.length - 1], "people: 4 / 4 rows (100%)");
});
