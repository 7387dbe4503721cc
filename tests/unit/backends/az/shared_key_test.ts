import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";
import { sharedKeyAuthorization, stringToSign } from "../../../../src/backends/az/shared_key.ts";

Deno.test("stringToSign() lists the verb, standard headers, x-ms- headers and the resource", () => {
  const url = new URL(
    "http://127.0.0.1:10000/devstoreaccount1/c/a%20b.txt?comp=block&blockid=QUJD%3D&Zeta=2&zeta=1",
  );
  const headers = {
    "content-length": "5",
    "content-type": "text/plain",
    "if-match": '"0x1"',
    "x-ms-version": "2021-12-02",
    "x-ms-date": "Sat, 28 Nov 2026 06:00:00 GMT",
    "x-ms-meta-Color": "  blue   sky ",
    "user-agent": "ignored",
  };
  assert.equal(
    stringToSign("devstoreaccount1", { method: "put", url, headers }),
    [
      "PUT",
      "", // Content-Encoding
      "", // Content-Language
      "5",
      "", // Content-MD5
      "text/plain",
      "", // Date (x-ms-date is used)
      "", // If-Modified-Since
      '"0x1"',
      "", // If-None-Match
      "", // If-Unmodified-Since
      "", // Range
      "x-ms-date:Sat, 28 Nov 2026 06:00:00 GMT",
      "x-ms-meta-Color:blue sky",
      "x-ms-version:2021-12-02",
      "/devstoreaccount1/devstoreaccount1/c/a%20b.txt",
      "blockid:QUJD=",
      "comp:block",
      "zeta:1,2",
    ].join("\n"),
  );
});

Deno.test("stringToSign() signs a zero Content-Length as empty", () => {
  const url = new URL("https://acct.blob.core.windows.net/c/k");
  const s = stringToSign("acct", { method: "GET", url, headers: { "content-length": "0" } });
  assert.equal(s.split("\n")[3], "");
  assert.ok(s.endsWith("\n/acct/c/k"));
});

Deno.test("sharedKeyAuthorization() is HMAC-SHA256 of the string under the decoded key", () => {
  const key = Buffer.from("0123456789abcdef0123456789abcdef").toString("base64");
  const req = {
    method: "GET",
    url: new URL("https://acct.blob.core.windows.net/c/k"),
    headers: {},
  };
  const want = createHmac("sha256", Buffer.from(key, "base64")).update(stringToSign("acct", req))
    .digest("base64");
  assert.equal(
    sharedKeyAuthorization({ accountName: "acct", accountKey: key }, req),
    `SharedKey acct:${want}`,
  );
});
