import assert from "node:assert/strict";
import { canonicalDetail, unsignedAmzHeaders } from "../../../src/auth/sigv4.ts";
import { sha256HexOfByteString } from "../../../src/sigv4/signing_key.ts";

const CANONICAL = [
  "GET",
  "/b/k",
  "X-Amz-Credential=AKID%2F20261124%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token=tok%2Fen&list-type=2",
  "host:gateway.test",
  "x-amz-security-token:header-token",
  "",
  "host;x-amz-security-token",
  "UNSIGNED-PAYLOAD",
].join("\n");

Deno.test("canonicalDetail() names the canonical request and its hash, newlines shown", () => {
  const d = canonicalDetail("GET\n/b/k\n\nhost:h\n\nhost\nUNSIGNED-PAYLOAD");
  assert.equal(
    d,
    `canonical request (sha256 ${
      sha256HexOfByteString("GET\n/b/k\n\nhost:h\n\nhost\nUNSIGNED-PAYLOAD")
    }): "GET\\n/b/k\\n\\nhost:h\\n\\nhost\\nUNSIGNED-PAYLOAD"`,
  );
});

Deno.test("canonicalDetail() redacts a session token in the headers and in the query", () => {
  const d = canonicalDetail(CANONICAL);
  assert.doesNotMatch(d, /header-token|tok%2Fen/);
  assert.match(d, /x-amz-security-token:\(redacted\)/);
  assert.match(d, /&X-Amz-Security-Token=\(redacted\)&list-type=2/);
  // The hash is of what the signature covered, not of the redacted text.
  assert.match(d, new RegExp(`sha256 ${sha256HexOfByteString(CANONICAL)}`));
});

Deno.test("unsignedAmzHeaders() lists x-amz-* headers the signature leaves out, sorted", () => {
  const headers = new Headers({
    "x-amz-copy-source": "/b/secret",
    "x-amz-date": "20261124T120000Z",
    "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    "x-amz-acl": "private",
  });
  assert.deepEqual(unsignedAmzHeaders({ presigned: false, signedHeaders: ["host"] }, headers), [
    "x-amz-acl",
    "x-amz-copy-source",
  ]);
  assert.deepEqual(unsignedAmzHeaders({ presigned: true, signedHeaders: ["host"] }, headers), [
    "x-amz-acl",
    "x-amz-copy-source",
    "x-amz-date",
  ]);
});
