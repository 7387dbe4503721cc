/**
 * The fs backend under SIGKILL: 100 uploads overwriting 100 objects are cut
 * off by killing the gateway. Every object is then whole, with its old bytes
 * or its new ones, never a part; no temporary file shows in the bucket; and a
 * fresh gateway over the same directory lists exactly the 100 keys with ETags
 * that match their bytes.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { filesUnder, rawSignedExchange, sdkClient, startGateway } from "./_gateway.ts";
import { tally } from "../_support/tally.ts";

const N = 100;
const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");
const oldBytes = (i: number) => new TextEncoder().encode(`old ${i} `.repeat(8000));
const newPiece = (i: number, p: number) => new Uint8Array(128 * 1024).fill((i * 7 + p) % 251 + 1);

Deno.test("fs backend: SIGKILL during 100 uploads leaves every object whole, old or new", async () => {
  const gw = await startGateway();
  const root = `${gw.dataDir}/private-uploads`;
  let again: Awaited<ReturnType<typeof startGateway>> | undefined;
  try {
    const s3 = sdkClient(gw);
    for (let i = 0; i < N; i++) {
      await s3.send(
        new PutObjectCommand({ Bucket: "private-uploads", Key: `k${i}`, Body: oldBytes(i) }),
      );
    }
    s3.destroy();

    // 8 pieces of 128 KiB each; a third go at once, the rest trickle so the kill finds them mid-way.
    let done = 0;
    const uploads = Array.from({ length: N }, (_, i) =>
      rawSignedExchange(gw.port, {
        method: "PUT",
        rawPath: `/private-uploads/k${i}`,
        pieces: Array.from({ length: 8 }, (_, p) => newPiece(i, p)),
        pieceDelayMs: i % 3 === 0 ? 0 : 1000,
      }).catch(() => "cut off").finally(() => done++));
    // Kill once the quick third has landed and the others are still arriving.
    const deadline = Date.now() + 10_000;
    while (done < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    gw.signal("SIGKILL");
    await gw.exited;
    const answers = await Promise.all(uploads);

    let olds = 0;
    let news = 0;
    for (let i = 0; i < N; i++) {
      const bytes = await Deno.readFile(`${root}/k${i}`);
      const fresh = new Uint8Array(8 * 128 * 1024);
      for (let p = 0; p < 8; p++) fresh.set(newPiece(i, p), p * 128 * 1024);
      if (md5(bytes) === md5(oldBytes(i))) olds++;
      else if (md5(bytes) === md5(fresh)) news++;
      else {assert.fail(
          `k${i} holds ${bytes.length} bytes that are neither the old nor the new object`,
        );}
      if (answers[i]!.startsWith("HTTP/1.1 200")) {
        assert.equal(md5(bytes), md5(fresh), `k${i} was acknowledged, so it must be new`);
      }
    }
    assert.equal(olds + news, N);
    tally("faults", "SIGKILL during 100 fs uploads");
    tally("objects", "fs crash: whole after SIGKILL", N);
    assert.ok(news > 0 && olds > 0, `the kill came mid-way (old ${olds}, new ${news})`);
    assert.deepEqual(
      await filesUnder(root),
      Array.from({ length: N }, (_, i) => `k${i}`).sort(),
      "no temporary file in the bucket",
    );

    // A fresh gateway over the same directory sees exactly those objects, ETags matching bytes.
    again = await startGateway([
      `{ name: again, backend_type: fs, anonymous_access: false, backend_options: { root: "${root}" } }`,
    ]);
    const c = sdkClient(again);
    const listed = await c.send(new ListObjectsV2Command({ Bucket: "again" }));
    assert.equal(listed.KeyCount, N);
    for (let i = 0; i < N; i += 9) {
      const head = await c.send(new HeadObjectCommand({ Bucket: "again", Key: `k${i}` }));
      const bytes = await Deno.readFile(`${root}/k${i}`);
      assert.equal(head.ETag, `"${md5(bytes)}"`, `k${i}`);
      assert.equal(head.ContentLength, bytes.length);
    }
    c.destroy();
  } finally {
    await again?.stop();
    await gw.stop();
  }
});
