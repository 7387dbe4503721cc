import assert from "node:assert/strict";
import { streamInPieces } from "../../_support/bytes.ts";
import { ProxyStreamError } from "../../../src/errors.ts";
import { closingDelimiter, fileData } from "../../../src/http/multipart_file.ts";

const B = "XyZboundary";
const enc = new TextEncoder();
const CLOSE = `\r\n--${B}--\r\n`;

async function through(text: string, length: number, size: number): Promise<string> {
  const out = streamInPieces(enc.encode(text), size).pipeThrough(fileData({ boundary: B, length }));
  return new TextDecoder().decode(await new Response(out).arrayBuffer());
}

async function failure(text: string, length: number, size: number): Promise<string> {
  try {
    await through(text, length, size);
  } catch (e) {
    assert.ok(e instanceof ProxyStreamError, String(e));
    return e.proxy.kind;
  }
  return assert.fail("the stream should have failed");
}

Deno.test("closingDelimiter() is CRLF --boundary-- CRLF", () => {
  assert.equal(new TextDecoder().decode(closingDelimiter(B)), CLOSE);
});

for (const size of [1, 2, 5, 4096]) {
  Deno.test(`fileData() passes exactly the file's bytes, in pieces of ${size}`, async () => {
    const file = "hello\r\n--XyZ not quite the boundary\r\n--XyZboundar";
    assert.equal(await through(file + CLOSE, file.length, size), file);
    assert.equal(await through(CLOSE, 0, size), "");
  });

  Deno.test(`fileData() refuses a part after the file and a wrong ending, in pieces of ${size}`, async () => {
    const next = `\r\n--${B}\r\ncontent-disposition: form-data; name="submit"\r\n\r\nGo`;
    const withNext = "data" + next + CLOSE;
    assert.equal(
      await failure(withNext, withNext.length - CLOSE.length, size),
      "MalformedPOSTRequest",
    );
    assert.equal(
      await failure(`data\r\n--${B.slice(0, -1)}X--\r\n`, 4, size),
      "MalformedPOSTRequest",
    );
    assert.equal(await failure("data" + CLOSE + "\r\n", 4, size), "MalformedPOSTRequest");
    assert.equal(await failure("data" + CLOSE, 6, size), "IncompleteBody");
    assert.equal(await failure("data" + CLOSE.slice(0, -1), 4, size), "IncompleteBody");
  });
}

Deno.test("fileData() holds the file's last byte until the closing delimiter has arrived", async () => {
  let source!: ReadableStreamDefaultController<Uint8Array>;
  const input = new ReadableStream<Uint8Array>({ start: (c) => void (source = c) });
  const reader = input.pipeThrough(fileData({ boundary: B, length: 4 })).getReader();
  source.enqueue(enc.encode("data"));
  const first = await reader.read();
  assert.equal(new TextDecoder().decode(first.value), "dat");
  const last = reader.read();
  let settled = false;
  void last.then(() => (settled = true));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(settled, false, "no last byte before the ending is known");
  source.enqueue(enc.encode(CLOSE));
  source.close();
  assert.equal(new TextDecoder().decode((await last).value), "a");
  assert.equal((await reader.read()).done, true);
});
