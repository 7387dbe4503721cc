/**
 * A real OIDC issuer process for end-to-end tests: https on 127.0.0.1 with a
 * test CA's leaf certificate, a discovery document, a JWKS, and a GitHub
 * Actions-style token endpoint (`GET /token?audience=…&sub=…` → `{"value": jwt}`).
 *
 * Run: deno run --allow-net --allow-read oidc_issuer.ts CERT KEY
 * It prints `issuer https://127.0.0.1:PORT` once it listens.
 */
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { TestCerts } from "./certs.ts";

async function serve(certFile: string, keyFile: string): Promise<void> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...await exportJWK(publicKey), kid: "e2e-1", alg: "RS256", use: "sig" };
  let issuer = "";
  let jwksFetches = 0;
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: await Deno.readTextFile(certFile),
    key: await Deno.readTextFile(keyFile),
    onListen({ port }) {
      issuer = `https://127.0.0.1:${port}`;
      // deno-lint-ignore no-console -- the parent reads the address from stdout
      console.log(`issuer ${issuer}`);
    },
  }, async (req) => {
    const url = new URL(req.url);
    switch (url.pathname) {
      case "/.well-known/openid-configuration":
        return Response.json({
          issuer,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ["id_token"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
        });
      case "/jwks":
        jwksFetches++;
        return Response.json({ keys: [jwk] }, { headers: { "cache-control": "max-age=300" } });
      case "/stats":
        return Response.json({ jwksFetches });
      case "/token": {
        const q = url.searchParams;
        const now = Math.floor(Date.now() / 1000);
        const ttl = Number(q.get("ttl") ?? "300");
        const claims: Record<string, string> = {};
        for (const [k, v] of q) if (!["audience", "sub", "ttl"].includes(k)) claims[k] = v;
        const token = await new SignJWT({ ...claims })
          .setProtectedHeader({ alg: "RS256", kid: jwk.kid, typ: "JWT" })
          .setIssuer(issuer)
          .setSubject(q.get("sub") ?? "repo:org/app:ref:refs/heads/main")
          .setAudience(q.get("audience") ?? "sts.bucketgate.test")
          .setIssuedAt(now)
          .setExpirationTime(now + ttl)
          .setJti(crypto.randomUUID())
          .sign(privateKey);
        return Response.json({ value: token });
      }
      default:
        return new Response("not found", { status: 404 });
    }
  });
  await server.finished;
}

/**
 * The `roles:` config lines of the e2e role `ci-deployer`: trusts `issuer`'s
 * tokens for audience sts.bucketgate.test and subjects `repo:org/app:*`, and
 * scopes them to `private-uploads/releases/`.
 */
export function issuerRoles(issuer: string): string[] {
  return [
    "roles:",
    "  - role_id: ci-deployer",
    `    trusted_oidc_issuers: [${issuer}]`,
    "    required_audiences: [sts.bucketgate.test]",
    '    subject_conditions: ["repo:org/app:*"]',
    "    max_session_duration_secs: 3600",
    "    allowed_scopes:",
    "      - { bucket: private-uploads, prefixes: [releases/], actions: [get_object, head_object, put_object, list_bucket] }",
  ];
}

/** A running issuer process. */
export interface IssuerProcess {
  /** The issuer URL (`https://127.0.0.1:PORT`). */
  readonly issuer: string;
  /** Gets a token from the issuer, as a CI job would. */
  token(claims?: Record<string, string>): Promise<string>;
  /** How many times the JWKS was fetched. */
  jwksFetches(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the issuer as a separate process serving TLS with `certs`. */
export async function startIssuerProcess(certs: TestCerts): Promise<IssuerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      new URL(import.meta.url).pathname,
      certs.certFile,
      certs.keyFile,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  let m: RegExpExecArray | null = null;
  while (!(m = /issuer (https:\/\/\S+)/.exec(out))) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the issuer exited before listening: ${out}`);
    out += value;
  }
  const issuer = m[1]!;
  const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(certs.caFile)] });
  const get = async (path: string) => {
    const res = await fetch(issuer + path, { client });
    if (!res.ok) throw new Error(`issuer ${path}: ${res.status}`);
    return await res.json();
  };
  return {
    issuer,
    async token(claims = {}) {
      return (await get(`/token?${new URLSearchParams(claims)}`)).value;
    },
    async jwksFetches() {
      return (await get("/stats")).jwksFetches;
    },
    async stop() {
      client.close();
      child.kill("SIGTERM");
      await child.status;
      await reader.cancel().catch(() => {});
    },
  };
}

if (import.meta.main) {
  const [cert, key] = Deno.args;
  if (!cert || !key) throw new TypeError("Cannot start: usage oidc_issuer.ts CERT KEY");
  await serve(cert, key);
}
