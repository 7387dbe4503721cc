/**
 * The gateway process in front of an s3 backend (moto) takes many uploads of
 * unknown length at once (`Transfer-Encoding: chunked`, no
 * x-amz-decoded-content-length) within bounded memory: their bodies, gathered
 * to learn their length, share `upload_buffer_bytes` and spool to disk beyond
 * it. Every upload arrives intact (MD5 of a GET through the gateway).
 */
import assert from "node:assert/strict";
import { createHash, type Hash } from "node:crypto";
import { type Gateway, signedFetch, signedHeaders, startGateway } from "./_gateway.ts";
import { memory } from "../_support/proc.ts";
import { createMotoBucket, motoBucket, motoMissing, startMoto } from "../_support/moto.ts";
import { skippable } from "../_support/tools.ts";
import { tally } from "../_support/tally.ts";

const MiB = 1024 * 1024;
const mib = (bytes: number) => Math.round(bytes / MiB);
const UPLOADS = 32;
const UPLOAD_BYTES = 48 * MiB;
/** What the uploads may add to the gateway's resident memory at its peak. */
const RSS_GROWTH_LIMIT = 256 * MiB;

/** Why moto cannot run here; under CI=true, throws. */
const noMoto = await motoMissing();

/** One random MiB every upload's chunks are made from (each stamped with its upload and index). */
const BASE = (() => {
  const b = new Uint8Array(MiB);
  for (let at = 0; at < b.length; at += 65536) crypto.getRandomValues(b.subarray(at, at + 65536));
  return b;
})();

/** Upload `n`'s body, `bytes` long in 1 MiB chunks, fed into `md5` as it is sent. */
function body(n: number, bytes: number, md5: Hash): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(c) {
      if (sent >= bytes) return c.close();
      const chunk = BASE.slice(0, Math.min(MiB, bytes - sent));
      new DataView(chunk.buffer).setUint32(0, n);
      new DataView(chunk.buffer).setUint32(4, sent / MiB);
      md5.update(chunk);
      sent += chunk.length;
      c.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
}

/** PUTs `bytes` to `key` chunked, with no length anywhere; returns the body's MD5 (hex). */
async function chunkedPut(gw: Gateway, n: number, key: string, bytes: number): Promise<string> {
  const path = `/remote/${key}`;
  const headers = await signedHeaders(gw.port, "PUT", path, {}, {
    "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
  });
  const md5 = createHash("md5");
  const res = await fetch(`${gw.url}${path}`, {
    method: "PUT",
    headers,
    body: body(n, bytes, md5),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `${key}: ${text}`);
  return md5.digest("hex");
}

/** The MD5 (hex) of `key` read back through the gateway. */
async function md5Of(gw: Gateway, key: string): Promise<string> {
  const res = await signedFetch(gw, "GET", `/remote/${key}`);
  assert.equal(res.status, 200, key);
  const md5 = createHash("md5");
  for await (const chunk of res.body!) md5.update(chunk);
  return md5.digest("hex");
}

Deno.test({
  ...skippable(
    `s3 backend over moto: ${UPLOADS} chunked uploads of ${
      UPLOAD_BYTES / MiB
    } MiB at once stay within idle RSS + ${RSS_GROWTH_LIMIT / MiB} MiB and arrive intact`,
    noMoto,
  ),
  async fn() {
    const moto = await startMoto();
    try {
      await createMotoBucket(moto.endpoint, "backing");
      await using gw = await startGateway([motoBucket(moto.endpoint, "backing")]);
      await uploadAtOnce(gw);
    } finally {
      await moto.stop();
    }
  },
});

/** Warms the gateway up, sends the uploads at once, checks its peak RSS, then every upload. */
async function uploadAtOnce(gw: Gateway): Promise<void> {
  // Warm up every path the uploads take, then measure the gateway at rest.
  for (let i = 0; i < 2; i++) {
    const md5 = await chunkedPut(gw, 1000 + i, `warm-${i}`, 2 * MiB);
    assert.equal(await md5Of(gw, `warm-${i}`), md5);
  }
  const idle = await memory(gw.pid);
  let sampled = idle;
  const sampler = setInterval(() => {
    memory(gw.pid).then((m) => void (sampled = Math.max(sampled, m)), () => {});
  }, 50);
  let sent: string[];
  try {
    sent = await Promise.all(
      Array.from({ length: UPLOADS }, (_, n) => chunkedPut(gw, n, `big-${n}`, UPLOAD_BYTES)),
    );
  } finally {
    clearInterval(sampler);
  }
  const peak = Math.max(sampled, await memory(gw.pid, "VmHWM"));
  // deno-lint-ignore no-console -- the measured figures are this test's report
  console.log(
    `gateway RSS: idle ${mib(idle)} MiB, peak ${mib(peak)} MiB (+${mib(peak - idle)} MiB)`,
  );
  assert.ok(
    peak - idle <= RSS_GROWTH_LIMIT,
    `RSS grew from ${mib(idle)} MiB to ${mib(peak)} MiB with ${UPLOADS} uploads at once`,
  );
  for (const [n, md5] of sent.entries()) {
    assert.equal(await md5Of(gw, `big-${n}`), md5, `big-${n} arrived intact`);
  }
  tally("objects", "uploads of unknown length through s3 at once, read back by MD5", UPLOADS);
}
