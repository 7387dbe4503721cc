import assert from "node:assert/strict";
import { awsChunkedDecoder, trailerAlgorithm } from "../../../src/auth/aws_chunked.ts";
import { createHasher, toBase64 } from "../../../src/checksum/hasher.ts";
import { ProxyStreamError } from "../../../src/errors.ts";

const enc = new TextEncoder();
const PAYLOAD = enc.encode("hello aws-chunked world, ".repeat(4));

function crc32b64(data: Uint8Array): string {
  const h = createHasher("CRC32");
  h.update(data);
  return toBase64(h.digest());
}

/** An unsigned-trailer body as @aws-sdk/client-s3 v3 sends it. */
function unsignedTrailerBody(payload: Uint8Array, checksum = crc32b64(payload)): Uint8Array {
  const head = enc.encode(`${payload.length.toString(16)}\r\n`);
  const tail = enc.encode(`\r\n0\r\nx-amz-checksum-crc32:${checksum}\r\n\r\n`);
  const out = new Uint8Array(head.length + payload.length + tail.length);
  out.set(head, 0);
  out.set(payload, head.length);
  out.set(tail, head.length + payload.length);
  return out;
}

async function decode(pieces: Uint8Array[], decodedLength = PAYLOAD.length): Promise<Uint8Array> {
  const src = new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of pieces) c.enqueue(p);
      c.close();
    },
  });
  const out = src.pipeThrough(
    awsChunkedDecoder({ trailer: true, trailerChecksum: "CRC32", decodedLength }),
  );
  return new Uint8Array(await new Response(out).arrayBuffer());
}

async function failure(pieces: Uint8Array[], decodedLength = PAYLOAD.length): Promise<string> {
  try {
    await decode(pieces, decodedLength);
  } catch (e) {
    if (e instanceof ProxyStreamError) return e.proxy.kind;
    throw e;
  }
  throw new Error("expected the stream to fail");
}

Deno.test("awsChunkedDecoder() decodes an unsigned-trailer body and checks its CRC32", async () => {
  assert.deepEqual(await decode([unsignedTrailerBody(PAYLOAD)]), PAYLOAD);
});

Deno.test("awsChunkedDecoder() decodes the same bytes however the input is split", async () => {
  const body = unsignedTrailerBody(PAYLOAD);
  for (let cut = 1; cut < body.length; cut++) {
    assert.deepEqual(
      await decode([body.subarray(0, cut), body.subarray(cut)]),
      PAYLOAD,
      `cut ${cut}`,
    );
  }
  const bytes = Array.from(body, (b) => new Uint8Array([b]));
  assert.deepEqual(await decode(bytes), PAYLOAD);
});

Deno.test("awsChunkedDecoder() refuses a body truncated at every byte", async () => {
  const body = unsignedTrailerBody(PAYLOAD);
  // The final CRLF pair may be left off (some clients do); any earlier cut is an error.
  for (let cut = 0; cut < body.length - 2; cut++) {
    const kind = await failure([body.subarray(0, cut)]);
    assert.ok(["IncompleteBody", "MalformedTrailerError"].includes(kind), `cut ${cut}: ${kind}`);
  }
});

Deno.test("awsChunkedDecoder() answers a wrong trailing checksum with BadDigest", async () => {
  const wrong = crc32b64(enc.encode("other"));
  assert.equal(await failure([unsignedTrailerBody(PAYLOAD, wrong)]), "BadDigest");
});

Deno.test("awsChunkedDecoder() answers a missing announced trailer with MalformedTrailerError", async () => {
  const body = enc.encode(`${PAYLOAD.length.toString(16)}\r\n`);
  const all = new Uint8Array([...body, ...PAYLOAD, ...enc.encode("\r\n0\r\n\r\n")]);
  assert.equal(await failure([all]), "MalformedTrailerError");
});

Deno.test("awsChunkedDecoder() refuses bad framing with S3's codes, never a crash", async () => {
  const cases: [string, string][] = [
    ["zz\r\nabc\r\n0\r\n\r\n", "InvalidRequest"],
    ["3\r\nabcd\r\n0\r\n\r\n", "InvalidRequest"],
    ["3\nabc\r\n0\r\n\r\n", "InvalidRequest"],
    ["ffffffffffff\r\n", "InvalidRequest"],
    ["3\r\nabc\r\n0\r\nnocolon\r\n\r\n", "MalformedTrailerError"],
    ["3\r\nabc\r\n0\r\n" + "x".repeat(5000), "InvalidRequest"],
  ];
  for (const [text, kind] of cases) {
    assert.equal(await failure([enc.encode(text)], 3), kind, JSON.stringify(text.slice(0, 30)));
  }
});

Deno.test("awsChunkedDecoder() checks x-amz-decoded-content-length", async () => {
  assert.equal(await failure([unsignedTrailerBody(PAYLOAD)], PAYLOAD.length + 1), "IncompleteBody");
  assert.equal(await failure([unsignedTrailerBody(PAYLOAD)], PAYLOAD.length - 1), "InvalidRequest");
});

Deno.test("trailerAlgorithm() reads x-amz-trailer", () => {
  assert.equal(trailerAlgorithm("x-amz-checksum-crc32"), "CRC32");
  assert.equal(trailerAlgorithm("x-amz-checksum-crc64nvme"), "CRC64NVME");
  assert.equal(trailerAlgorithm(null), undefined);
  assert.equal(trailerAlgorithm("x-amz-checksum-md7"), null);
  assert.equal(trailerAlgorithm("x-other"), null);
});
