import { concatBytes } from "../../_support/bytes.ts";
/**
 * STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: signed chunks, then trailing
 * headers signed as `AWS4-HMAC-SHA256-TRAILER\n<date>\n<scope>\n<prev sig>\n<sha256(trailers)>`.
 * The body is built here from the documented algorithm with node:crypto
 * directly (not with the code under test).
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { authenticate } from "../../../src/auth/authenticate.ts";
import { createSigningKeyCache } from "../../../src/sigv4/signing_key.ts";
import { fixedClock } from "../../../src/clock.ts";
import { ProxyStreamError } from "../../../src/errors.ts";
import { requestTarget } from "../../../src/http/target.ts";
import { createHasher, toBase64 } from "../../../src/checksum/hasher.ts";

const SECRET = "trailer-test-secret-key";
const ID = "AKIDTRAILERTEST00001";
const DATE = "20260101T000000Z";
const SCOPE = "20260101/us-east-1/s3/aws4_request";
const hmac = (k: Uint8Array | string, d: string) => createHmac("sha256", k).update(d).digest();
const sha = (d: string | Uint8Array) => createHash("sha256").update(d).digest("hex");
const signingKey = hmac(
  hmac(hmac(hmac("AWS4" + SECRET, "20260101"), "us-east-1"), "s3"),
  "aws4_request",
);

function seedRequest(
  headers: Record<string, string>,
): { auth: string; headers: Record<string, string> } {
  const names = Object.keys(headers).sort();
  const canonical = [
    "PUT",
    "/b/k",
    "",
    names.map((n) => `${n}:${headers[n]}\n`).join(""),
    names.join(";"),
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
  ].join("\n");
  const sts = `AWS4-HMAC-SHA256\n${DATE}\n${SCOPE}\n${sha(canonical)}`;
  const sig = hmac(signingKey, sts).toString("hex");
  return {
    auth: `AWS4-HMAC-SHA256 Credential=${ID}/${SCOPE}, SignedHeaders=${
      names.join(";")
    }, Signature=${sig}`,
    headers,
  };
}

function body(
  seed: string,
  chunks: Uint8Array[],
  trailer: string,
  tamperTrailerSig = false,
): Uint8Array<ArrayBuffer> {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  let prev = seed;
  for (const c of [...chunks, new Uint8Array(0)]) {
    const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${DATE}\n${SCOPE}\n${prev}\n${sha("")}\n${sha(c)}`;
    prev = hmac(signingKey, sts).toString("hex");
    parts.push(enc.encode(`${c.length.toString(16)};chunk-signature=${prev}\r\n`));
    if (c.length > 0) parts.push(c, enc.encode("\r\n"));
  }
  const trailerSts = `AWS4-HMAC-SHA256-TRAILER\n${DATE}\n${SCOPE}\n${prev}\n${sha(trailer + "\n")}`;
  let trailerSig = hmac(signingKey, trailerSts).toString("hex");
  if (tamperTrailerSig) trailerSig = trailerSig.replace(/^./, (c) => (c === "0" ? "1" : "0"));
  parts.push(enc.encode(`${trailer}\r\nx-amz-trailer-signature:${trailerSig}\r\n\r\n`));
  return concatBytes(parts);
}

async function run(tamper: boolean, checksumOverride?: string): Promise<string> {
  const data = [new Uint8Array(9000).fill(7), new Uint8Array(1000).fill(9)];
  const crc = createHasher("CRC32");
  for (const d of data) crc.update(d);
  const checksum = checksumOverride ?? toBase64(crc.digest());
  const { auth, headers } = seedRequest({
    host: "gw.test",
    "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    "x-amz-date": DATE,
    "x-amz-decoded-content-length": "10000",
    "x-amz-trailer": "x-amz-checksum-crc32",
  });
  const seed = /Signature=(\w+)/.exec(auth)![1]!;
  const req = new Request("http://gw.test/b/k", {
    method: "PUT",
    headers: { ...headers, authorization: auth, "content-encoding": "aws-chunked" },
    body: body(seed, data, `x-amz-checksum-crc32:${checksum}`, tamper),
  });
  const r = await authenticate(req, requestTarget(req.url), {
    credentials: new Map([[ID, {
      accessKeyId: ID,
      secretAccessKey: SECRET,
      principalName: "t",
      enabled: true,
      allowedScopes: [],
    }]]),
    clock: fixedClock(Date.UTC(2026, 0, 1)),
    signingKeys: createSigningKeyCache(),
  });
  if (!r.ok) return r.error.kind;
  try {
    const bytes = new Uint8Array(await new Response(r.value.body).arrayBuffer());
    return bytes.length === 10000 && bytes[0] === 7 && bytes[9999] === 9 ? "ok" : "wrong bytes";
  } catch (e) {
    return e instanceof ProxyStreamError ? e.proxy.kind : String(e);
  }
}

Deno.test("signed chunks with a signed trailer decode and verify", async () => {
  assert.equal(await run(false), "ok");
});

Deno.test("a tampered trailer signature is SignatureDoesNotMatch", async () => {
  assert.equal(await run(true), "SignatureDoesNotMatch");
});

Deno.test("a signed trailer with the wrong checksum is BadDigest", async () => {
  assert.equal(await run(false, "AAAAAA=="), "BadDigest");
});
