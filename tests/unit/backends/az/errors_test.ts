import assert from "node:assert/strict";
import { azureErrorKind, errorFrom } from "../../../../src/backends/az/errors.ts";
import { answer } from "./_fake.ts";
import { resettingBody } from "../http/_bodies.ts";

const azureError = (code: string, message = "m") =>
  `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

Deno.test("azureErrorKind() passes the codes a client should see and nothing else", () => {
  assert.equal(azureErrorKind(404, "BlobNotFound"), "NoSuchKey");
  assert.equal(azureErrorKind(404, ""), "NoSuchKey");
  assert.equal(azureErrorKind(404, "ContainerNotFound"), undefined);
  assert.equal(azureErrorKind(412, ""), "PreconditionFailed");
  assert.equal(azureErrorKind(400, "Md5Mismatch"), "BadDigest");
  assert.equal(azureErrorKind(403, "AuthenticationFailed"), undefined);
});

Deno.test("errorFrom() reads the code from the header or the body; others are a BackendError", async () => {
  const fromBody = await errorFrom(answer(400, azureError("InvalidBlockList")), "PutBlockList");
  assert.equal(fromBody.kind, "InvalidPart");
  const notModified = await errorFrom(answer(304), "GetBlob");
  assert.equal(notModified.kind, "NotModified");
  const auth = await errorFrom(
    answer(403, azureError("AuthenticationFailed", "sig\nmore"), { "x-ms-request-id": "r1" }),
    "GetBlob",
  );
  assert.equal(auth.kind, "BackendError");
  assert.equal(auth.message, "The backend failed");
  assert.match(
    String(auth.detail),
    /GetBlob: HTTP 403 AuthenticationFailed sig \(x-ms-request-id r1\)/,
  );
});

Deno.test("errorFrom() of an error body that resets mid-read is still a ProxyError", async () => {
  const e = await errorFrom(answer(500, resettingBody("<Error><Co")), "GetBlob");
  assert.equal(e.kind, "BackendError");
});
