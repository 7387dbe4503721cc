/** SigV2 verification: presigned lifetimes, and the x-amz-* headers in the string to sign. */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { type V2Claims, verifyV2 } from "../../../src/auth/sigv2.ts";
import { requestTarget } from "../../../src/http/target.ts";

const SECRET = "v2-secret-key-123";
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

function presigned(expires: number, headers: Record<string, string> = {}) {
  const target = requestTarget("http://gateway.test/private/k.txt");
  const sts = `GET\n\n\n${expires}\n/private/k.txt`;
  const claims: V2Claims = {
    accessKeyId: "AKIDV2",
    signature: createHmac("sha1", SECRET).update(sts, "utf8").digest("base64"),
    timeField: String(expires),
    presigned: true,
  };
  return { claims, r: { method: "GET", target, headers: new Headers(headers) } };
}

Deno.test("verifyV2() accepts a presigned URL that expires at most seven days from now", () => {
  for (const secs of [1, 3600, 604800]) {
    const { claims, r } = presigned(NOW / 1000 + secs);
    assert.equal(verifyV2(claims, r, SECRET, NOW), undefined, `${secs}`);
  }
});

Deno.test("verifyV2() refuses a presigned URL whose Expires is more than 604800 s ahead", () => {
  for (const secs of [604801, 10 * 365 * 86400, 999_999_999_999 - NOW / 1000]) {
    const { claims, r } = presigned(NOW / 1000 + secs);
    const e = verifyV2(claims, r, SECRET, NOW);
    assert.equal(e?.kind, "AccessDenied", `${secs}`);
    assert.match(e!.message, /604800 seconds \(seven days\)/);
  }
});

Deno.test("verifyV2() refuses an expired presigned URL", () => {
  const { claims, r } = presigned(NOW / 1000 - 1);
  assert.match(verifyV2(claims, r, SECRET, NOW)?.message ?? "", /expired/);
});

Deno.test("verifyV2() signs every x-amz-* header: an added one breaks a presigned URL", () => {
  const { claims, r } = presigned(NOW / 1000 + 60, { "x-amz-copy-source": "/private/secret" });
  assert.equal(verifyV2(claims, r, SECRET, NOW)?.kind, "SignatureDoesNotMatch");
  const meta = presigned(NOW / 1000 + 60, { "x-amz-meta-x": "1", "x-amzn-trace-id": "Root=1" });
  assert.equal(verifyV2(meta.claims, meta.r, SECRET, NOW)?.kind, "SignatureDoesNotMatch");
  const trace = presigned(NOW / 1000 + 60, { "x-amzn-trace-id": "Root=1" });
  assert.equal(verifyV2(trace.claims, trace.r, SECRET, NOW), undefined, "not an x-amz- header");
});
