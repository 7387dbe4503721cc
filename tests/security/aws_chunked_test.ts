import { concatBytes } from "../_support/bytes.ts";
/** awsChunkedDecoder() on valid framings split anywhere, and on every truncation and mutation. */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { awsChunkedDecoder, type AwsChunkedOptions } from "../../src/auth/aws_chunked.ts";
import { createHasher, toBase64 } from "../../src/checksum/hasher.ts";
import { ProxyStreamError, statusOf } from "../../src/errors.ts";
import { fuzz, mutateBytes, type Rng, truncations } from "./_fuzz.ts";

const enc = new TextEncoder();
const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");
const SIGNING_KEY = new Uint8Array(32).fill(3);
const AMZ_DATE = "20261124T120000Z";
const SCOPE = "20261124/us-east-1/s3/aws4_request";
const SEED_SIGNATURE = "a".repeat(64);

const concat = concatBytes;

function crc32(data: Uint8Array): string {
  const h = createHasher("CRC32");
  h.update(data);
  return toBase64(h.digest());
}

/** A framing of `payload` cut into random chunk sizes. */
function frame(rng: Rng, payload: Uint8Array, signed: boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  let prev = SEED_SIGNATURE;
  const sign = (data: Uint8Array) => {
    const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${AMZ_DATE}\n${SCOPE}\n${prev}\n${EMPTY_SHA256}\n${
      createHash("sha256").update(data).digest("hex")
    }`;
    prev = createHmac("sha256", SIGNING_KEY).update(sts).digest("hex");
    return prev;
  };
  let at = 0;
  const chunks: Uint8Array[] = [];
  while (at < payload.length) {
    const n = Math.min(payload.length - at, rng.range(1, 40));
    chunks.push(payload.subarray(at, at + n));
    at += n;
  }
  chunks.push(new Uint8Array(0));
  for (const c of chunks) {
    const size = rng.chance(0.2) ? c.length.toString(16).toUpperCase() : c.length.toString(16);
    const ext = signed ? `;chunk-signature=${sign(c)}` : "";
    parts.push(enc.encode(`${size}${ext}\r\n`));
    if (c.length > 0) parts.push(c, enc.encode("\r\n"));
  }
  if (!signed) parts.push(enc.encode(`x-amz-checksum-crc32:${crc32(payload)}\r\n\r\n`));
  else parts.push(enc.encode("\r\n"));
  return concat(parts);
}

function options(signed: boolean, length: number | undefined): AwsChunkedOptions {
  return signed
    ? {
      trailer: false,
      signing: {
        signingKey: SIGNING_KEY,
        amzDate: AMZ_DATE,
        scope: SCOPE,
        seedSignature: SEED_SIGNATURE,
      },
      ...(length !== undefined ? { decodedLength: length } : {}),
    }
    : {
      trailer: true,
      trailerChecksum: "CRC32",
      ...(length !== undefined ? { decodedLength: length } : {}),
    };
}

/** Decodes `body` fed in random pieces: the payload, or the ProxyStreamError it failed with. */
async function decode(
  rng: Rng,
  body: Uint8Array,
  o: AwsChunkedOptions,
): Promise<Uint8Array | ProxyStreamError> {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < body.length;) {
    const n = rng.range(1, 64);
    pieces.push(body.slice(at, at + n));
    at += n;
  }
  const src = new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of pieces) c.enqueue(p);
      c.close();
    },
  });
  try {
    return new Uint8Array(await new Response(src.pipeThrough(awsChunkedDecoder(o))).arrayBuffer());
  } catch (e) {
    if (e instanceof ProxyStreamError) return e;
    throw e;
  }
}

function assertClientError(r: Uint8Array | ProxyStreamError, what: string): void {
  assert.ok(r instanceof ProxyStreamError, `${what} was accepted`);
  assert.ok(statusOf(r.proxy) >= 400 && statusOf(r.proxy) < 500, `status ${statusOf(r.proxy)}`);
}

for (const signed of [false, true]) {
  const variant = signed ? "signed chunks" : "unsigned chunks with a CRC32 trailer";

  Deno.test(`awsChunkedDecoder() decodes random ${variant} split anywhere`, async () => {
    await fuzz(
      `aws-chunked valid ${variant}`,
      { iterations: 400, budgetMs: 1500 },
      async ({ rng, note }) => {
        const payload = rng.bytes(rng.int(200));
        const body = frame(rng, payload, signed);
        note({ body });
        const out = await decode(
          rng,
          body,
          options(signed, rng.chance(0.5) ? payload.length : undefined),
        );
        assert.ok(!(out instanceof ProxyStreamError), out instanceof Error ? out.message : "");
        assert.deepEqual(out, payload);
      },
    );
  });

  Deno.test(`awsChunkedDecoder() never accepts a truncated ${variant} body with less payload`, async () => {
    await fuzz(
      `aws-chunked truncations ${variant}`,
      { iterations: 20, budgetMs: 2500 },
      async ({ rng, note }) => {
        const payload = rng.bytes(rng.range(1, 80));
        const body = frame(rng, payload, signed);
        for (const cut of truncations(body)) {
          note({ body, cut: cut.length });
          for (const length of [payload.length, undefined]) {
            const out = await decode(rng, cut, options(signed, length));
            // A cut that drops only the final empty line is complete (documented leniency).
            if (!(out instanceof ProxyStreamError)) {
              assert.deepEqual(out, payload, "short body accepted");
            } else assertClientError(out, "truncated body");
          }
        }
      },
    );
  });

  Deno.test(`awsChunkedDecoder() fails mutated ${variant} with a 4xx or yields the exact payload`, async () => {
    await fuzz(
      `aws-chunked mutations ${variant}`,
      { iterations: 1500, budgetMs: 2500 },
      async ({ rng, note }) => {
        const payload = rng.bytes(rng.range(1, 120));
        const body = frame(rng, payload, signed);
        let mutated = body;
        for (let k = rng.range(1, 3); k > 0; k--) mutated = mutateBytes(rng, mutated);
        note({ body, mutated });
        const out = await decode(rng, mutated, options(signed, payload.length));
        if (!(out instanceof ProxyStreamError)) {
          assert.deepEqual(out, payload, "a mutated body decoded to other bytes");
        } else {
          assertClientError(out, "mutated body");
        }
      },
    );
  });
}
