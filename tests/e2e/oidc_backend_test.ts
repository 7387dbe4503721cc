/**
 * OIDC backend auth end to end: a bucket with `auth_type: oidc` and no
 * secret in its config, served by the real gateway process over moto, which
 * plays both STS and S3. A counting relay in front of moto counts the STS
 * calls, keeps the tokens bucketgate minted (verified here against the
 * running gateway's JWKS) and checks that every S3 request carries a session
 * token that STS issued.
 */
import assert from "node:assert/strict";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { signedFetch, startGateway } from "./_gateway.ts";
import { runGatewayCli } from "../_support/gateway.ts";
import { type Moto, motoMissing, startMoto } from "../_support/moto.ts";
import { skippable } from "../_support/tools.ts";
import { rsaPem } from "../_support/rsa_pem.ts";

/** Why moto cannot run here; under CI=true, throws. */
const noMoto = await motoMissing();
const ROLE = "arn:aws:iam::123456789012:role/bucketgate-backend";
const ISSUER = "https://bucketgate.test";

/** A relay in front of moto that counts and inspects what the gateway sends. */
interface Relay {
  readonly url: string;
  /** AssumeRoleWithWebIdentity calls that reached moto. */
  stsCalls: number;
  /** The web identity tokens bucketgate sent. */
  readonly tokens: string[];
  /** Session tokens STS issued, and those S3 requests carried. */
  readonly issued: Set<string>;
  readonly presented: string[];
  /** While set, STS calls are answered with this throttling error instead of reaching moto. */
  throttle: boolean;
  stop(): Promise<void>;
}

function startRelay(moto: Moto): Relay {
  const relay: Omit<Relay, "url" | "stop"> = {
    stsCalls: 0,
    tokens: [],
    issued: new Set(),
    presented: [],
    throttle: false,
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = req.body ? new Uint8Array(await req.arrayBuffer()) : undefined;
    const form = req.headers.get("content-type")?.startsWith("application/x-www-form-urlencoded")
      ? new URLSearchParams(new TextDecoder().decode(body))
      : undefined;
    const isSts = form?.get("Action") === "AssumeRoleWithWebIdentity";
    if (isSts) {
      relay.stsCalls++;
      relay.tokens.push(form!.get("WebIdentityToken") ?? "");
      if (relay.throttle) {
        return new Response(
          "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>",
          { status: 400, headers: { "content-type": "text/xml" } },
        );
      }
    } else {
      relay.presented.push(req.headers.get("x-amz-security-token") ?? "");
    }
    const headers = new Headers(req.headers);
    headers.delete("host");
    const res = await fetch(`${moto.endpoint}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      ...(body ? { body } : {}),
      redirect: "manual",
    });
    const answer = new Uint8Array(await res.arrayBuffer());
    if (isSts) {
      const token = /<SessionToken>([^<]+)<\/SessionToken>/.exec(new TextDecoder().decode(answer));
      if (token) relay.issued.add(token[1]!);
    }
    const out = new Headers(res.headers);
    out.delete("content-length");
    out.delete("transfer-encoding");
    return new Response(req.method === "HEAD" ? null : answer, {
      status: res.status,
      headers: out,
    });
  });
  const addr = server.addr as Deno.NetAddr;
  return Object.assign(relay, {
    url: `http://127.0.0.1:${addr.port}`,
    stop: () => server.shutdown(),
  });
}

/** The bucket entry: no secret anywhere, STS and S3 both through the relay. */
function oidcBucket(relay: Relay): string {
  return `{ name: cloud, backend_type: s3, anonymous_access: false, backend_options: { endpoint: "${relay.url}", bucket_name: backing, region: us-east-1, auth_type: oidc, oidc_role_arn: "${ROLE}", sts_endpoint: "${relay.url}" } }`;
}

/** An object's text as moto holds it (read with moto's own test keys, not through the gateway). */
async function inMoto(moto: Moto, key: string): Promise<string> {
  const s3 = new S3Client({
    endpoint: moto.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: "backing", Key: key }));
    return await got.Body!.transformToString();
  } finally {
    s3.destroy();
  }
}

const KEY = rsaPem();
const NEXT = rsaPem();
const ISSUER_ENV = {
  OIDC_PROVIDER_KEY: KEY.pkcs1,
  OIDC_PROVIDER_KEY_NEXT: NEXT.pkcs8,
  OIDC_PROVIDER_ISSUER: ISSUER,
};

Deno.test({
  ...skippable(
    "auth_type: oidc over moto: reads and writes with exchanged credentials, 1 STS call for 1,000 requests",
    noMoto,
  ),
  async fn() {
    const moto = await startMoto();
    const relay = startRelay(moto);
    await (await fetch(`${moto.endpoint}/backing`, { method: "PUT" })).body?.cancel();
    const gw = await startGateway([oidcBucket(relay)], { env: ISSUER_ENV });
    try {
      // The issuer's documents, verifiable with jose against the running gateway.
      const discovery = await (await fetch(`${gw.url}/.well-known/openid-configuration`)).json();
      assert.equal(discovery.issuer, ISSUER);
      assert.equal(discovery.jwks_uri, `${ISSUER}/.well-known/jwks.json`);
      assert.deepEqual(discovery.id_token_signing_alg_values_supported, ["RS256"]);
      const jwks = createRemoteJWKSet(new URL(`${gw.url}/.well-known/jwks.json`));
      const published = await (await fetch(`${gw.url}/.well-known/jwks.json`)).json();
      assert.equal(published.keys.length, 2, "the current key and the next one");

      // 1,000 requests: writes, reads, heads and listings, 8 at a time.
      const bodies = new Map<string, string>();
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < 1000; i = next++) {
          const key = `k/${i % 50}`;
          if (i < 50 || i % 4 === 0) {
            const body = `object ${i}`;
            const r = await signedFetch(gw, "PUT", `/cloud/${key}`, { body });
            assert.equal(r.status, 200, await r.text());
            bodies.set(key, body);
          } else if (i % 4 === 1) {
            const r = await signedFetch(gw, "GET", `/cloud/${key}`);
            assert.equal(r.status, 200);
            await r.body?.cancel();
          } else if (i % 4 === 2) {
            const r = await signedFetch(gw, "HEAD", `/cloud/${key}`);
            assert.equal(r.status, 200);
          } else {
            const r = await signedFetch(gw, "GET", "/cloud", {
              query: { "list-type": "2", prefix: "k/" },
            });
            assert.equal(r.status, 200);
            assert.match(await r.text(), /<KeyCount>\d+<\/KeyCount>/);
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      assert.equal(relay.stsCalls, 1, "one exchange serves the whole credential lifetime");

      // What the gateway wrote is in moto, byte for byte.
      for (const [key, body] of bodies) assert.equal(await inMoto(moto, key), body);
      // Every backend request carried the session token STS issued, and nothing else.
      assert.equal(relay.issued.size, 1);
      assert.ok(relay.presented.length >= 1000);
      assert.ok(relay.presented.every((t) => relay.issued.has(t)), "an S3 request without it");

      // The token STS received: bucketgate's, with the claims a trust policy checks.
      const { payload, protectedHeader } = await jwtVerify(relay.tokens[0]!, jwks, {
        issuer: ISSUER,
        audience: "sts.amazonaws.com",
        subject: "bucketgate",
        algorithms: ["RS256"],
      });
      assert.equal(protectedHeader.kid, published.keys[0].kid);
      assert.ok(payload.exp! - payload.iat! <= 600, "a short-lived token");
      assert.ok(payload.jti);
      // Nothing secret in the log.
      assert.ok(!gw.logs().includes(relay.tokens[0]!), "the web identity token was logged");
      for (const t of relay.issued) assert.ok(!gw.logs().includes(t), "a session token was logged");
    } finally {
      await gw.stop();
      await relay.stop();
      await moto.stop();
    }
  },
});

Deno.test({
  ...skippable(
    "auth_type: oidc: STS throttling is a 503 logged with the STS error, retried after a backoff, not in a loop",
    noMoto,
  ),
  async fn() {
    const moto = await startMoto();
    const relay = startRelay(moto);
    await (await fetch(`${moto.endpoint}/backing`, { method: "PUT" })).body?.cancel();
    relay.throttle = true;
    const gw = await startGateway([oidcBucket(relay)], { env: ISSUER_ENV });
    try {
      const first = await signedFetch(gw, "GET", "/cloud/x");
      assert.equal(first.status, 503);
      const xml = await first.text();
      assert.match(xml, /<Code>ServiceUnavailable<\/Code>/);
      assert.ok(!xml.includes("Throttling"), "the STS detail stays in the log");
      assert.match(gw.logs(), /Throttling: Rate exceeded/);
      // Within the backoff, requests fail at once without calling STS.
      const started = Date.now();
      for (let i = 0; i < 20; i++) {
        const r = await signedFetch(gw, "GET", "/cloud/x");
        assert.equal(r.status, 503);
        await r.body?.cancel();
      }
      const calls = relay.stsCalls;
      assert.ok(
        calls <= 1 + Math.ceil((Date.now() - started) / 1000),
        `${calls} STS calls for 21 requests`,
      );
      // STS recovers; after the backoff the next request exchanges and succeeds.
      relay.throttle = false;
      const deadline = Date.now() + 10_000;
      let status = 0;
      while (Date.now() < deadline) {
        const r = await signedFetch(gw, "PUT", "/cloud/x", { body: "after recovery" });
        status = r.status;
        await r.body?.cancel();
        if (status === 200) break;
        await new Promise((ok) => setTimeout(ok, 250));
      }
      assert.equal(status, 200);
      assert.equal(await inMoto(moto, "x"), "after recovery");
    } finally {
      await gw.stop();
      await relay.stop();
      await moto.stop();
    }
  },
});

Deno.test("--check-config reports an auth_type: oidc bucket whose issuer variables are missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = `${dir}/config.yaml`;
    await Deno.writeTextFile(
      config,
      `buckets:\n  - { name: cloud, backend_type: s3, anonymous_access: false, backend_options: { bucket_name: b, region: us-east-1, auth_type: oidc, oidc_role_arn: "${ROLE}" } }\n`,
    );
    const check = (env: Record<string, string>) =>
      runGatewayCli(["--check-config", "--config", config], { env });
    const missing = await check({});
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /buckets\[0\]\.backend_options\.auth_type: auth_type: oidc needs OIDC_PROVIDER_KEY and OIDC_PROVIDER_ISSUER/,
    );
    const half = await check({ OIDC_PROVIDER_ISSUER: ISSUER });
    assert.equal(half.code, 1);
    assert.match(half.stderr, /OIDC_PROVIDER_KEY: required with OIDC_PROVIDER_ISSUER/);
    const good = await check(ISSUER_ENV);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /OK \(1 buckets\)/);
    assert.ok(!good.stderr.includes("MII"), "the key is never printed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
