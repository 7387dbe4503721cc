/**
 * Sealed STS session tokens, in ns/op: sealing (what each AssumeRoleWithWebIdentity
 * pays), opening a token not seen before (AES-256-GCM + JSON), the resolver's
 * cached check (what each S3 request with a known token pays), and a whole
 * SigV4 verification of a request carrying a session token.
 * Run with `deno task bench:micro`.
 */
import { testSigner } from "../tests/_support/signer.ts";
import { authenticate } from "../src/auth/authenticate.ts";
import { createSigningKeyCache } from "../src/sigv4/signing_key.ts";
import {
  createSessionResolver,
  newSecretAccessKey,
  newTemporaryAccessKeyId,
  sealSession,
  type SessionClaims,
  unsealSession,
} from "../src/auth/session_token.ts";
import { requestTarget } from "../src/http/target.ts";
import { fixedClock } from "../src/clock.ts";
import { NOW } from "../tests/integration/_harness.ts";

const keys = { current: crypto.getRandomValues(new Uint8Array(32)) };
const claims: SessionClaims = {
  accessKeyId: newTemporaryAccessKeyId(),
  secretAccessKey: newSecretAccessKey(),
  roleId: "ci-deployer",
  subject: "repo:org/app:ref:refs/heads/main",
  sessionName: "bench",
  issuer: "https://token.actions.githubusercontent.com",
  scopes: [
    { bucket: "uploads", prefixes: ["releases/"], actions: ["get_object", "put_object"] },
    { bucket: "org-app", prefixes: [], actions: ["get_object", "list_bucket"] },
  ],
  expiresAt: NOW + 3600_000,
  issuedAt: NOW,
};
const token = sealSession(claims, keys);
const clock = fixedClock(NOW);

Deno.bench("sealed token: seal (AES-256-GCM, one per STS mint)", () => {
  sealSession(claims, keys);
});

Deno.bench("sealed token: open a token not seen before", () => {
  if (!unsealSession(token, keys)) throw new Error("Cannot open the token: refused");
});

const resolver = createSessionResolver(keys, clock);
Deno.bench("sealed token: resolver check of a cached token (per request)", () => {
  const r = resolver(claims.accessKeyId, token);
  if (!r.ok) throw new Error(r.error.message);
});

const signed = await testSigner({
  id: claims.accessKeyId,
  secret: claims.secretAccessKey,
  token,
}).sign({
  method: "GET",
  protocol: "http:",
  hostname: "gateway.test",
  path: "/uploads/releases/app.tgz",
  headers: { host: "gateway.test", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
}, { signingDate: new Date(NOW) });
const headers = new Headers(signed.headers as Record<string, string>);
const url = "http://gateway.test/uploads/releases/app.tgz";
const target = requestTarget(url);
const deps = {
  credentials: new Map(),
  clock,
  sessions: createSessionResolver(keys, clock),
  signingKeys: createSigningKeyCache(),
};

Deno.bench("SigV4 header verification with a session token (cached token and key)", async () => {
  const r = await authenticate(new Request(url, { headers }), target, deps);
  if (!r.ok) throw new Error(r.error.message);
});
