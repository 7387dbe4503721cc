import assert from "node:assert/strict";
import { ChunkedParser, MAX_CHUNK, MAX_LINE } from "../../../../src/auth/aws_chunked/parser.ts";
import { createHasher, toBase64 } from "../../../../src/checksum/hasher.ts";
import { ProxyStreamError } from "../../../../src/errors.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Feeds `pieces` to a parser and ends it: the payload, or the error's kind and message. */
function parse(
  pieces: string[],
  o: ConstructorParameters<typeof ChunkedParser>[0] = { trailer: false },
): { payload: string; emits: number } | { kind: string; message: string } {
  const p = new ChunkedParser(o);
  let payload = "";
  let emits = 0;
  try {
    for (const piece of pieces) {
      p.feed(enc.encode(piece), (bytes) => {
        payload += dec.decode(bytes);
        emits++;
      });
    }
    p.end();
    return { payload, emits };
  } catch (e) {
    if (e instanceof ProxyStreamError) return { kind: e.proxy.kind, message: e.proxy.message };
    throw e;
  }
}

Deno.test("ChunkedParser emits each chunk's data as it arrives, across feeds", () => {
  assert.deepEqual(parse(["3\r\nab", "c\r\n2\r\nde\r\n0\r\n\r\n"]), { payload: "abcde", emits: 3 });
  assert.deepEqual(parse(["0\r\n\r\n"]), { payload: "", emits: 0 });
});

Deno.test("ChunkedParser takes hex sizes in either case and ignores an unsigned extension", () => {
  const data = "x".repeat(26);
  assert.deepEqual(parse([`1A;ext=1\r\n${data}\r\n0\r\n\r\n`]), { payload: data, emits: 1 });
  assert.deepEqual(parse([`1a\r\n${data}\r\n0\r\n\r\n`]), { payload: data, emits: 1 });
});

Deno.test("ChunkedParser tolerates trailing CRLFs after the final chunk, nothing else", () => {
  assert.deepEqual(parse(["0\r\n\r\n\r\n"]), { payload: "", emits: 0 });
  const r = parse(["0\r\n\r\nX"]);
  assert.ok("kind" in r);
  assert.equal(r.kind, "InvalidRequest");
  assert.match(r.message, /data after the final chunk/);
});

Deno.test("ChunkedParser.end() accepts a body missing only the closing empty line", () => {
  assert.deepEqual(parse(["2\r\nab\r\n0\r\n"]), { payload: "ab", emits: 1 });
  const crc = createHasher("CRC32");
  crc.update(enc.encode("ab"));
  const trailer = `x-amz-checksum-crc32:${toBase64(crc.digest())}`;
  const o = { trailer: true, trailerChecksum: "CRC32" } as const;
  assert.deepEqual(parse([`2\r\nab\r\n0\r\n${trailer}\r\n`], o), { payload: "ab", emits: 1 });
  assert.equal(
    (parse([`2\r\nab\r\n0\r\n${trailer.slice(0, -1)}`], o) as { kind: string }).kind,
    "IncompleteBody",
  );
});

Deno.test("ChunkedParser.end() in the middle of a chunk is IncompleteBody", () => {
  assert.equal((parse(["5\r\nab"]) as { kind: string }).kind, "IncompleteBody");
  assert.equal((parse([""]) as { kind: string }).kind, "IncompleteBody");
});

Deno.test("ChunkedParser refuses a chunk over MAX_CHUNK and a line over MAX_LINE", () => {
  const big = parse([`${(MAX_CHUNK + 1).toString(16)}\r\n`]) as { kind: string; message: string };
  assert.equal(big.kind, "InvalidRequest");
  assert.match(big.message, /exceeds/);
  assert.equal(
    (parse([`${MAX_CHUNK.toString(16)}\r\n`]) as { kind: string }).kind,
    "IncompleteBody",
  );
  const long = parse(["0".repeat(MAX_LINE + 1)]) as { kind: string; message: string };
  assert.match(long.message, /line too long/);
});

Deno.test("ChunkedParser with signing refuses a chunk header without a chunk-signature", () => {
  const signing = {
    signingKey: new Uint8Array(32),
    amzDate: "20260101T000000Z",
    scope: "20260101/us-east-1/s3/aws4_request",
    seedSignature: "0".repeat(64),
  };
  const r = parse(["3\r\nabc\r\n"], { trailer: false, signing }) as {
    kind: string;
    message: string;
  };
  assert.equal(r.kind, "SignatureDoesNotMatch");
  assert.match(r.message, /missing its chunk-signature/);
});

Deno.test("ChunkedParser counts decoded bytes against decodedLength at the end too", () => {
  assert.deepEqual(parse(["2\r\nab\r\n0\r\n\r\n"], { trailer: false, decodedLength: 2 }), {
    payload: "ab",
    emits: 1,
  });
  const short = parse(["2\r\nab\r\n0\r\n\r\n"], { trailer: false, decodedLength: 3 });
  assert.equal((short as { kind: string }).kind, "IncompleteBody");
});
