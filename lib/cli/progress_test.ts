import { assertEquals } from "@std/assert";
import { Progress } from "./progress.ts";

function clocked(total?: number) {
  let t = 0;
  const lines: string[] = [];
  const p = new Progress({
    label: "epochs",
    total,
    unit: "epochs",
    mode: "lines",
    write: (s) => lines.push(s),
    now: () => t,
  });
  return { p, lines, at: (ms: number) => (t = ms) };
}

Deno.test("Progress.done: the final line says how the job ended (all done, short of the total, stopped early)", () => {
  const all = clocked(180);
  all.at(2000);
  all.p.update(180);
  all.p.done();
  assertEquals(all.lines.at(-1), "epochs: 180 / 180 epochs (100%), 90/s, done in 2.0s\n");

  const short = clocked(180);
  short.at(2000);
  short.p.update(51);
  short.p.done();
  assertEquals(short.lines.at(-1), "epochs: ended at 51 of 180 epochs (28%), 26/s, done in 2.0s\n");

  const early = clocked(180);
  early.at(2000);
  early.p.update(51);
  early.p.done({ stoppedEarly: "no better validation ROC AUC for 8 epochs" });
  assertEquals(
    early.lines.at(-1),
    "epochs: stopped early after 51 of at most 180 epochs: no better validation ROC AUC for 8 epochs, 26/s, done in 2.0s\n",
  );
});

Deno.test("Progress.finalLine without a total, and for a job with nothing to do", () => {
  const open = clocked();
  open.at(500);
  open.p.update(7);
  assertEquals(open.p.finalLine(), "epochs: 7 epochs, 14/s, done in 0.5s");
  assertEquals(open.p.finalLine({ stoppedEarly: "" }), "epochs: stopped early after 7 epochs, 14/s, done in 0.5s");
  const none = clocked(180);
  assertEquals(none.p.finalLine({ skipped: "no epochs ran" }), "epochs: no epochs ran");
});
