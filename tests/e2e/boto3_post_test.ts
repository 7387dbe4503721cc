/**
 * Browser form uploads (POST Object) prepared by boto3's
 * `generate_presigned_post` and sent by `requests`, against the real gateway
 * process on every backend: SigV4 and SigV2 forms, session credentials, each
 * answer (204, 200, 201, 303) and the refusals (a violated condition, an
 * uncovered field, an expired policy, too large, too small).
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { sealSession } from "../../src/auth/session_token.ts";
import { availableBackends, startRig } from "./_backends.ts";
import { runPythonSuite } from "./_python.ts";
import { firstReason, missingPythonModule, skippable } from "../_support/tools.ts";

/** Why boto3 or requests cannot run here; under CI=true, throws. */
const noPython = firstReason(
  await missingPythonModule("boto3"),
  await missingPythonModule("requests"),
);

/** A session key and a token it seals, scoped to `form/` of private-uploads. */
function session(): { key: string; id: string; secret: string; token: string } {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const id = "ASIAPOSTE2E000000001";
  const secret = "post-e2e-session-secret";
  const token = sealSession({
    accessKeyId: id,
    secretAccessKey: secret,
    roleId: "uploader",
    subject: "browser-user",
    sessionName: "e2e",
    issuer: "https://idp.test",
    scopes: [{ bucket: "private-uploads", prefixes: ["form/"], actions: ["put_object"] }],
    expiresAt: Date.now() + 3600_000,
    issuedAt: Date.now(),
  }, { current: key });
  return { key: Buffer.from(key).toString("base64"), id, secret, token };
}

for (const { kind, skip } of await availableBackends()) {
  Deno.test({
    ...skippable(
      `boto3 generate_presigned_post + requests on ${kind}: answers, refusals, SigV2, sessions`,
      firstReason(noPython, skip),
    ),
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const s = session();
      const rig = await startRig(kind, { env: { SESSION_TOKEN_KEY: s.key } });
      try {
        const out = await runPythonSuite(rig, new URL("./boto3_post.py", import.meta.url), {
          SESSION_ID: s.id,
          SESSION_SECRET: s.secret,
          SESSION_TOKEN: s.token,
        });
        assert.match(out, /boto3 post suite OK/);
        assert.equal(await rig.storedText("private-uploads", "form/hello.txt"), "hello, form");
      } finally {
        await rig.stop();
      }
    },
  });
}
