import { assert, assertEquals, assertMatch, assertRejects, assertStringIncludes, assertThrows } from "@std/assert";
import { DisplayProgress, notebookProgress, trainingEnd, trainingProgress } from "./progress.ts";
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
  // ended short of the total: said so, the bar grey at its share
  assertEquals(calls[2].bundle["text/plain"], "loans <a>: ended at 400 of 1000 rows (40%), 200/s, done in 2.0s");
  assertStringIncludes(calls[2].bundle["text/html"], "loans &lt;a&gt;");
  assertMatch(calls[1].bundle["text/html"], /width:30\.0%/);
  assertMatch(calls[2].bundle["text/html"], /width:40\.0%;height:8px;background:#9e9e9e/);
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

Deno.test("DisplayProgress: a finished count ends at 100% in green; an early stop says why, not 'done' at 28%", async () => {
  const full = recorder();
  let now = 0;
  const p = new DisplayProgress({ label: "rows", total: 10, sink: full.sink, now: () => now });
  now = 1000;
  p.update(10);
  await p.done();
  const last = full.calls[full.calls.length - 1].bundle;
  assertEquals(last["text/plain"], "rows: 10 / 10 rows (100%), 10/s, done in 1.0s");
  assertMatch(last["text/html"], /width:100\.0%;height:8px;background:#54a24b/);

  const early = recorder();
  now = 0;
  const e = new DisplayProgress({ label: "training", total: 180, unit: "epochs", sink: early.sink, now: () => now });
  now = 2000;
  e.update(51);
  await e.done({ stoppedEarly: "no better validation ROC AUC for 8 epochs" });
  const end = early.calls[early.calls.length - 1].bundle;
  assertEquals(
    end["text/plain"],
    "training: stopped early after 51 of at most 180 epochs: no better validation ROC AUC for 8 epochs, 26/s, " +
      "done in 2.0s",
  );
  assert(!end["text/plain"].includes("28%"), "no share of the most epochs as if it were progress");
  assertMatch(end["text/html"], /width:100\.0%;height:8px;background:#54a24b/);
});

Deno.test("trainingEnd: all epochs run, members stopped early (which, after how many, why), nothing run", () => {
  const hp = { members: 3, epochs: 60, patience: 8 };
  assertEquals(trainingEnd([60, 60, 60], hp), {});
  assertEquals(trainingEnd([12, 11, 11], hp), {
    stoppedEarly:
      "each of the 3 networks after 12, 11 and 11 epochs (of 60 each): no better validation ROC AUC for 8 epochs",
  });
  assertEquals(trainingEnd([12, 60, 11], hp), {
    stoppedEarly: "networks 1 and 3 after 12 and 11 epochs (of 60 each): no better validation ROC AUC for 8 epochs",
  });
  assertEquals(
    trainingEnd([34], { members: 1, epochs: 1000, patience: 100 }, { unit: "trees", metric: "validation AUC" }),
    {
      stoppedEarly: "no better validation AUC for 100 trees",
    },
  );
  assertEquals(trainingEnd([], hp), { skipped: "no epochs ran" });
});

Deno.test("trainingProgress counts epochs per member and ends honestly (the modeling report's bar)", async () => {
  const { sink, calls } = recorder();
  let now = 0;
  const p = trainingProgress({
    label: "training",
    hyperparameters: { members: 3, epochs: 60, patience: 8 },
    sink,
    now: () => now,
  });
  for (const [member, epochs] of [[1, 12], [2, 11], [3, 11]]) {
    for (let i = 0; i < epochs; i++) p.epoch({ member });
  }
  now = 1000;
  await p.done();
  assertEquals(p.epochs, [12, 11, 11]);
  assertEquals(
    calls[calls.length - 1].bundle["text/plain"],
    "training: stopped early after 34 of at most 180 epochs: each of the 3 networks after 12, 11 and 11 epochs " +
      "(of 60 each): no better validation ROC AUC for 8 epochs, 34/s, done in 1.0s",
  );
  const skipped = recorder();
  const none = trainingProgress({
    label: "challenger",
    hyperparameters: { members: 3, epochs: 60, patience: 8 },
    ...skipped,
  });
  await none.done();
  assertEquals(skipped.calls[skipped.calls.length - 1].bundle["text/plain"], "challenger: no epochs ran");
  assertThrows(
    () => trainingProgress({ label: "x", hyperparameters: { members: 0, epochs: 60, patience: 8 }, sink }),
    Error,
    'hyperparameter "members" is 0',
  );
  assertThrows(() => p.epoch({ member: 0 }), Error, "member 0");
});
