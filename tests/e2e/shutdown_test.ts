/** SIGTERM drains: an upload in flight finishes, new requests are refused, then the process exits 0. */
import assert from "node:assert/strict";
import { rawSignedExchange, startGateway } from "./_gateway.ts";

Deno.test("SIGTERM during a slow 50 MiB upload lets it finish, refuses new requests, then exits 0", async () => {
  const gw = await startGateway();
  try {
    // 50 pieces of 1 MiB, 40 ms apart, so the upload is still arriving when SIGTERM comes.
    const pieces = Array.from({ length: 50 }, (_, i) => new Uint8Array(1024 * 1024).fill(i));
    const upload = rawSignedExchange(gw.port, {
      method: "PUT",
      rawPath: "/private-uploads/big.bin",
      pieces,
      pieceDelayMs: 40,
    });
    await new Promise((r) => setTimeout(r, 400));
    gw.signal("SIGTERM");
    await new Promise((r) => setTimeout(r, 100));
    const late = await fetch(`${gw.url}/public-data/other`).catch(() => undefined);
    if (late) {
      assert.equal(late.status, 503, "new requests are refused while draining");
      await late.body?.cancel();
    }
    const answer = await upload;
    assert.match(answer, /^HTTP\/1\.1 200/, answer);
    assert.equal(await gw.exited, 0);
    const stored = await Deno.readFile(`${gw.dataDir}/private-uploads/big.bin`);
    assert.equal(stored.length, 50 * 1024 * 1024);
    assert.equal(stored[stored.length - 1], 49);
  } finally {
    await gw.stop();
  }
});
