/** SigV4 Authorization-header and presigned-query parsing, and authenticate(), on hostile input. */
import assert from "node:assert/strict";
import { authenticate } from "../../src/auth/authenticate.ts";
import { createSigningKeyCache } from "../../src/sigv4/signing_key.ts";
import { parseAuthorizationHeader, parsePresignedQuery } from "../../src/auth/sigv4.ts";
import { fixedClock } from "../../src/clock.ts";
import { ACTIONS, type CredentialConfig } from "../../src/config/types.ts";
import { statusOf } from "../../src/errors.ts";
import { requestTarget } from "../../src/http/target.ts";
import { fuzz, mutateString, randomString, type Rng, stringFrom } from "./_fuzz.ts";

const NOW = Date.UTC(2026, 10, 24, 12);
const HEX = "0123456789abcdef";
const ID = "AKIDFUZZ00000000001";

function parts(rng: Rng) {
  return {
    id: rng.chance(0.8) ? ID : stringFrom(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 24) || "X",
    date: "20261124",
    region: rng.pick(["us-east-1", "eu-west-3", "auto"]),
    signedHeaders: rng.pick([
      ["host"],
      ["host", "x-amz-content-sha256", "x-amz-date"],
      ["content-type", "host", "x-amz-date"],
    ]),
    signature: stringFrom(rng, HEX, 0).padEnd(64, rng.pick([...HEX])),
  };
}

function validHeader(p: ReturnType<typeof parts>, rng: Rng): string {
  const sep = rng.pick([",", ", ", " ,  "]);
  return `AWS4-HMAC-SHA256 Credential=${p.id}/${p.date}/${p.region}/s3/aws4_request${sep}` +
    `SignedHeaders=${p.signedHeaders.join(";")}${sep}Signature=${p.signature}`;
}

function headersOf(rng: Rng): Headers {
  const h = new Headers({ host: "gateway.test" });
  if (rng.chance(0.9)) h.set("x-amz-date", "20261124T120000Z");
  if (rng.chance(0.7)) {
    h.set("x-amz-content-sha256", rng.pick(["UNSIGNED-PAYLOAD", "e".repeat(64)]));
  }
  if (rng.chance(0.2)) h.set("content-length", String(rng.int(100)));
  if (rng.chance(0.2)) h.set("x-amz-security-token", randomString(rng, 8, ["ascii"]).trim() || "t");
  return h;
}

function assertClientError(r: { ok: boolean; error?: unknown }): void {
  if (!r.ok) {
    const s = statusOf(r.error as Parameters<typeof statusOf>[0]);
    assert.ok(s >= 400 && s < 500, `status ${s}`);
  }
}

Deno.test("parseAuthorizationHeader() reads back every field of a valid header", async () => {
  await fuzz("authorization round-trip", { iterations: 3000, budgetMs: 1500 }, ({ rng, note }) => {
    const p = parts(rng);
    const value = validHeader(p, rng);
    const headers = new Headers({
      "x-amz-date": "20261124T120000Z",
      "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    });
    note({ value });
    const r = parseAuthorizationHeader(value, headers);
    assert.ok(r.ok, r.ok ? "" : r.error.message);
    assert.equal(r.value.accessKeyId, p.id);
    assert.equal(r.value.region, p.region);
    assert.deepEqual(r.value.signedHeaders, p.signedHeaders);
    assert.equal(r.value.signature, p.signature);
    assert.equal(r.value.payloadHash, "UNSIGNED-PAYLOAD");
  });
});

Deno.test("parseAuthorizationHeader() never throws and fails with a 4xx on mutated headers", async () => {
  await fuzz("authorization mutated", { iterations: 10_000, budgetMs: 2000 }, ({ rng, note }) => {
    const value = rng.chance(0.1)
      ? randomString(rng, 60)
      : mutateString(rng, validHeader(parts(rng), rng), 4);
    note({ value });
    const r = parseAuthorizationHeader(value, headersOf(rng));
    assertClientError(r);
    if (r.ok) {
      assert.match(r.value.signature, /^[0-9a-f]{64}$/);
      assert.ok(r.value.signedHeaders.includes("host"));
      assert.equal(r.value.service, "s3");
    }
  });
});

function validQuery(rng: Rng): URLSearchParams {
  const p = parts(rng);
  return new URLSearchParams({
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": `${p.id}/${p.date}/${p.region}/s3/aws4_request`,
    "X-Amz-Date": "20261124T120000Z",
    "X-Amz-Expires": String(rng.range(1, 604800)),
    "X-Amz-SignedHeaders": p.signedHeaders.join(";"),
    "X-Amz-Signature": p.signature,
  });
}

Deno.test("parsePresignedQuery() never throws and fails with a 4xx on mutated queries", async () => {
  await fuzz("presigned mutated", { iterations: 10_000, budgetMs: 2000 }, ({ rng, note }) => {
    const base = validQuery(rng).toString();
    const raw = rng.chance(0.1) ? randomString(rng, 60) : mutateString(rng, base, 4);
    note({ raw });
    const q = new URLSearchParams(raw);
    const r = parsePresignedQuery(q, headersOf(rng));
    assertClientError(r);
    if (r.ok) {
      assert.ok(r.value.expiresSecs! >= 1 && r.value.expiresSecs! <= 604800);
      assert.match(r.value.amzDate, /^\d{8}T\d{6}Z$/);
    }
  });
});

/** authenticate()'s collaborators, knowing one full-access key (ID, "fuzz-secret"). */
function authDeps() {
  const cred: CredentialConfig = {
    accessKeyId: ID,
    secretAccessKey: "fuzz-secret",
    principalName: "fuzz",
    enabled: true,
    allowedScopes: [{ bucket: "*", prefixes: [], actions: [...ACTIONS] }],
  };
  return {
    credentials: new Map([[ID, cred]]),
    clock: fixedClock(NOW),
    signingKeys: createSigningKeyCache(),
  };
}

Deno.test("authenticate() never throws and refuses forged requests with a 4xx", async () => {
  const deps = authDeps();
  await fuzz("authenticate forged", { iterations: 3000, budgetMs: 2500 }, async ({ rng, note }) => {
    const presigned = rng.chance(0.4);
    const headers = headersOf(rng);
    let query = rng.chance(0.3) ? "a=b&c" : "";
    if (presigned) {
      query = mutateString(rng, validQuery(rng).toString(), 2);
    } else if (rng.chance(0.9)) {
      const v = mutateString(rng, validHeader(parts(rng), rng), 2);
      try {
        headers.set("authorization", v);
      } catch { /* not a valid header value */ }
    } else {
      headers.set("authorization", rng.pick(["AWS " + ID + ":abc=", "AWS x", "Bearer x"]));
    }
    if (rng.chance(0.2)) {
      headers.set(
        "x-amz-content-sha256",
        rng.pick([
          "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
          "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
          "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        ]),
      );
    }
    if (rng.chance(0.2)) {
      headers.set(
        "x-amz-trailer",
        rng.pick(["x-amz-checksum-crc32", "x-amz-checksum-nope", "junk"]),
      );
    }
    const path = "/" + encodeURIComponent(randomString(rng, 6).toWellFormed());
    let url: string;
    try {
      url = new URL(`http://gateway.test${path}${query ? "?" + query : ""}`).href;
    } catch {
      return;
    }
    note({ url, headers });
    const req = new Request(url, { method: rng.pick(["GET", "PUT", "HEAD"]), headers });
    const r = await authenticate(req, requestTarget(req.url), deps);
    if (r.ok) {
      // Every forged signature must fail; only anonymous requests get through.
      assert.equal(r.value.identity.kind, "anonymous", "a forged request authenticated");
    } else {
      assertClientError(r);
    }
  });
});

// Found by this suite: a SignedHeaders entry that is not an HTTP token ("a b",
// NUL, "(") used to reach Headers.get(), which throws, and the app answered 500.
Deno.test({
  name: "authenticate() refuses a signed header name that is not an HTTP token with a 4xx",
  fn: async () => {
    const deps = authDeps();
    for (const names of ["host;a b", "host;co%00tent-type", "host;a(b"]) {
      const req = new Request(
        `http://gateway.test/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${ID}%2F20261124%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261124T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=${
          encodeURIComponent(decodeURIComponent(names))
        }&X-Amz-Signature=${"f".repeat(64)}`,
      );
      const r = await authenticate(req, requestTarget(req.url), deps); // throws TypeError today
      assert.ok(!r.ok);
      assertClientError(r);
    }
  },
});
