/**
 * In-process tests (issue 19, item 4): user metadata that is not ASCII.
 * `Deno.serve` hands header values over as byte strings (one char per byte),
 * so a client that sends the UTF-8 bytes of "é" arrives as "\u00c3\u00a9".
 * Its signature covers those bytes; the value is stored and given back byte
 * for byte. The requests here are signed over bytes by a small signer of the
 * test's own, independent of src/sigv4.
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { ADMIN, BASE, harness, NOW, send } from "./_harness.ts";

/** "Hello Worldé" as the UTF-8 bytes a client sends, one char per byte. */
const HELLO = "Hello World" + String.fromCharCode(0xc3, 0xa9);

const hex = (b: Uint8Array | string) =>
  createHash("sha256").update(b as string, "latin1").digest("hex");

/** A SigV4 header-signed PUT whose canonical request is hashed as the bytes on the wire. */
function signedPut(path: string, headers: Record<string, string>, body: string): Request {
  const amzDate = new Date(NOW).toISOString().replace(/[-:]|\.\d{3}/g, "");
  const date = amzDate.slice(0, 8);
  const all: Record<string, string> = {
    host: new URL(BASE).host,
    "x-amz-date": amzDate,
    "x-amz-content-sha256": hex(body),
    ...headers,
  };
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const canonical = [
    "PUT",
    path,
    "",
    ...names.map((n) => `${n}:${all[n]!.trim()}`),
    "",
    names.join(";"),
    all["x-amz-content-sha256"],
  ].join("\n");
  const scope = `${date}/us-east-1/s3/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${hex(canonical)}`;
  let key: Uint8Array = createHmac("sha256", `AWS4${ADMIN.secret}`).update(date).digest();
  for (const part of ["us-east-1", "s3", "aws4_request"]) {
    key = createHmac("sha256", key).update(part).digest();
  }
  const signature = createHmac("sha256", key).update(toSign, "latin1").digest("hex");
  const authorization = `AWS4-HMAC-SHA256 Credential=${ADMIN.id}/${scope}, ` +
    `SignedHeaders=${names.join(";")}, Signature=${signature}`;
  return new Request(`${BASE}${path}`, {
    method: "PUT",
    headers: { ...all, authorization, "content-length": String(body.length) },
    body,
  });
}

/** A SigV2 header-signed PUT, its string to sign hashed as the bytes on the wire. */
function signedPutV2(path: string, headers: Record<string, string>, body: string): Request {
  const date = new Date(NOW).toUTCString();
  const amz = Object.entries(headers).map(([n, v]) => `${n.toLowerCase()}:${v}\n`).sort().join("");
  const toSign = `PUT\n\napplication/octet-stream\n${date}\n${amz}${path}`;
  const signature = createHmac("sha1", ADMIN.secret).update(toSign, "latin1").digest("base64");
  return new Request(`${BASE}${path}`, {
    method: "PUT",
    headers: {
      ...headers,
      date,
      "content-type": "application/octet-stream",
      authorization: `AWS ${ADMIN.id}:${signature}`,
      "content-length": String(body.length),
    },
    body,
  });
}

for (
  const [name, put] of [
    ["SigV4", signedPut],
    ["SigV2", signedPutV2],
  ] as const
) {
  Deno.test(`${name}: a PUT with UTF-8 bytes in x-amz-meta-* verifies, and GET gives the bytes back`, async () => {
    const h = harness();
    const res = await h.handle(put("/private/meta.txt", { "x-amz-meta-meta1": HELLO }, "body"));
    assert.equal(res.status, 200, await res.text());
    const got = await send(h, "/private/meta.txt", { key: ADMIN });
    assert.equal(got.status, 200);
    await got.body?.cancel();
    assert.equal(got.headers.get("x-amz-meta-meta1"), HELLO);
    assert.equal(
      new TextDecoder().decode(Uint8Array.from(HELLO, (c) => c.charCodeAt(0))),
      "Hello Worldé",
    );
  });

  Deno.test(`${name}: the signature covers those bytes: other bytes in the header do not verify`, async () => {
    const h = harness();
    const signed = put("/private/meta.txt", { "x-amz-meta-meta1": HELLO }, "body");
    const headers = new Headers(signed.headers);
    headers.set("x-amz-meta-meta1", "Hello World" + String.fromCharCode(0xe9));
    const res = await h.handle(new Request(signed.url, { method: "PUT", headers, body: "body" }));
    assert.equal(res.status, 403);
    assert.match(await res.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  });
}
