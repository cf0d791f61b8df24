import { assert, assertEquals } from "@std/assert";
import { canConnect, requireService } from "./services.ts";

Deno.test("canConnect: false for a port nobody listens on, true for a listener", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const accepted = listener.accept().then((c) => c.close()).catch(() => {});
  assert(await canConnect("127.0.0.1", port));
  await accepted;
  listener.close();
  assertEquals(await canConnect("127.0.0.1", port, 300), false);
});

Deno.test("requireService finds Redis and PostgreSQL (or says loudly why not)", async () => {
  for (const name of ["redis", "postgres"] as const) {
    const info = await requireService(name);
    assertEquals(info.available, await canConnect(info.host, info.port));
    if (!info.available) assert(info.reason?.includes(name));
  }
});
