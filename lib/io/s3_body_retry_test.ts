import { assert, assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { bodyBytes, BodyReadError, retryBody } from "./s3_body_retry.ts";

const dropped = () => Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });

Deno.test("bodyBytes turns a network error into a BodyReadError and passes other errors through", async () => {
  assertEquals(await bodyBytes(() => Promise.resolve(new Uint8Array([1, 2]))), new Uint8Array([1, 2]));
  const err = await assertRejects(() => bodyBytes(() => Promise.reject(dropped())), BodyReadError);
  assertEquals(err.message, "Reading the response body failed: socket hang up");
  await assertRejects(() => bodyBytes(() => Promise.reject(new Error("bad checksum"))), Error, "bad checksum");
});

Deno.test("retryBody sends a GET again when its body was cut short, up to maxAttempts", async () => {
  let calls = 0;
  const bytes = await retryBody({ maxAttempts: 3 }, () => {
    calls++;
    return bodyBytes(() => calls < 3 ? Promise.reject(dropped()) : Promise.resolve(new Uint8Array([7])));
  });
  assertEquals([calls, bytes], [3, new Uint8Array([7])]);

  calls = 0;
  const last = await assertRejects(() =>
    retryBody({ maxAttempts: 2 }, () => {
      calls++;
      return bodyBytes(() => Promise.reject(dropped()));
    })
  );
  assertEquals(calls, 2);
  assertInstanceOf(last, Error);
  assert(!(last instanceof BodyReadError)); // the network error itself, for the caller's mapping
  assertEquals((last as { code?: string }).code, "ECONNRESET");
});

Deno.test("retryBody does not retry other errors", async () => {
  let calls = 0;
  await assertRejects(
    () =>
      retryBody({ maxAttempts: 5 }, () => {
        calls++;
        return Promise.reject(new Error("NoSuchKey"));
      }),
    Error,
    "NoSuchKey",
  );
  assertEquals(calls, 1);
});
