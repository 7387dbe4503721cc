import assert from "node:assert/strict";
import { streamInPieces } from "../../_support/bytes.ts";
import { formBoundary, indexOfBytes, readFormHead } from "../../../src/http/multipart_form.ts";
import { formBody } from "../../_support/post_form.ts";

const B = "----bucketgateFormBoundary7MA4YWxkTrZu0gW";
const enc = new TextEncoder();

Deno.test("formBoundary() reads the boundary of multipart/form-data only", () => {
  assert.equal(formBoundary("multipart/form-data; boundary=abc"), "abc");
  assert.equal(formBoundary('Multipart/Form-Data;charset=utf-8; BOUNDARY="a b:c"'), "a b:c");
  assert.equal(formBoundary("multipart/mixed; boundary=abc"), undefined);
  assert.equal(formBoundary("multipart/form-data"), undefined);
  assert.equal(formBoundary(`multipart/form-data; boundary=${"x".repeat(71)}`), undefined);
  assert.equal(formBoundary(null), undefined);
});

Deno.test("indexOfBytes() finds a needle at the start, middle and end", () => {
  const hay = enc.encode("abcabd");
  assert.equal(indexOfBytes(hay, enc.encode("abd")), 3);
  assert.equal(indexOfBytes(hay, enc.encode("abc")), 0);
  assert.equal(indexOfBytes(hay, enc.encode("abc"), 1), -1);
  assert.equal(indexOfBytes(hay, enc.encode("bde")), -1);
});

Deno.test("indexOfBytes() agrees with a naive search on random bytes of a small alphabet", () => {
  const naive = (hay: Uint8Array, needle: Uint8Array, from: number) => {
    outer: for (let i = from; i <= hay.length - needle.length; i++) {
      for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  };
  const random = (n: number) =>
    Uint8Array.from({ length: n }, () => 97 + Math.floor(Math.random() * 3));
  for (let round = 0; round < 2000; round++) {
    const hay = random(Math.floor(Math.random() * 40));
    const needle = random(1 + Math.floor(Math.random() * 4));
    const from = Math.floor(Math.random() * 5);
    assert.equal(indexOfBytes(hay, needle, from), naive(hay, needle, from), `${hay} ${needle}`);
  }
});

for (const size of [1, 7, 1 << 20]) {
  Deno.test(`readFormHead() reads fields up to the file, in pieces of ${size} bytes`, async () => {
    const { body } = formBody(
      [["key", "a/${filename}"], ["X-Amz-Meta-Tag", "Zoë"], ["empty", ""]],
      { data: "the file's bytes", filename: "C:\\dir\\f.txt", type: "text/plain" },
      B,
    );
    const head = await readFormHead(streamInPieces(body, size), {
      boundary: B,
      maxBytes: 20 * 1024,
    });
    assert.ok(head.ok, head.ok ? "" : head.error.message);
    assert.deepEqual(head.value.fields, [
      { name: "key", value: "a/${filename}" },
      { name: "X-Amz-Meta-Tag", value: "Zoë" },
      { name: "empty", value: "" },
    ]);
    assert.equal(head.value.filename, "C:\\dir\\f.txt");
    const rest = new Uint8Array(await new Response(head.value.rest).arrayBuffer());
    assert.equal(head.value.offset + rest.length, body.length);
    assert.equal(new TextDecoder().decode(rest), `the file's bytes\r\n--${B}--\r\n`);
  });
}

Deno.test("readFormHead() ends a value only at CRLF --boundary, not at the boundary mid-line", async () => {
  const value = `see --${B} and\r\n--${B.slice(0, -1)}`;
  const { body } = formBody([["x-ignore-note", value]], { data: "d" }, B);
  const head = await readFormHead(streamInPieces(body, 4), { boundary: B, maxBytes: 1024 });
  assert.ok(head.ok);
  assert.deepEqual(head.value.fields, [{ name: "x-ignore-note", value }]);
  await head.value.rest.cancel();
});

Deno.test("readFormHead() takes the part named file in any case, even without a filename", async () => {
  const text = `--${B}\r\nContent-Disposition: form-data; name="FILE"\r\n\r\nx\r\n--${B}--\r\n`;
  const head = await readFormHead(streamInPieces(enc.encode(text), 5), {
    boundary: B,
    maxBytes: 1024,
  });
  assert.ok(head.ok);
  assert.deepEqual(head.value.fields, []);
  assert.equal(head.value.filename, undefined);
  await head.value.rest.cancel();
});

async function failure(text: string | Uint8Array, maxBytes = 1024): Promise<string> {
  const bytes = typeof text === "string" ? enc.encode(text) : text;
  const head = await readFormHead(streamInPieces(bytes, 3), { boundary: B, maxBytes });
  assert.ok(!head.ok);
  return head.error.kind;
}

Deno.test("readFormHead() refuses forms without a file, too long before it, or malformed", async () => {
  const field = `--${B}\r\ncontent-disposition: form-data; name="key"\r\n\r\nk\r\n`;
  assert.equal(await failure(`${field}--${B}--\r\n`), "IncorrectNumberOfFiles");
  assert.equal(await failure(""), "IncorrectNumberOfFiles");
  assert.equal(
    await failure(
      `${field.repeat(30)}--${B}\r\ncontent-disposition: form-data; name="file"\r\n\r\n`,
    ),
    "MaxPostPreDataLengthExceeded",
  );
  assert.equal(await failure(`${field.repeat(100)}`), "MaxPostPreDataLengthExceeded");
  assert.equal(await failure(`preamble\r\n${field}`), "MalformedPOSTRequest");
  assert.equal(await failure(`${field.slice(0, -10)}`), "MalformedPOSTRequest");
  assert.equal(
    await failure(`--${B}\r\ncontent-type: text/plain\r\n\r\nk\r\n--${B}--\r\n`),
    "MalformedPOSTRequest",
  );
  assert.equal(await failure(`--${B}junk`), "MalformedPOSTRequest");
  const notUtf8 = new Uint8Array([...enc.encode(field.slice(0, -3)), 0xff, ...enc.encode("\r\n")]);
  assert.equal(await failure(notUtf8), "MalformedPOSTRequest");
});

Deno.test("readFormHead() passes on the error of a body that fails", async () => {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.encode(`--${B}\r\n`));
      c.error(new Error("connection reset"));
    },
  });
  const head = await readFormHead(body, { boundary: B, maxBytes: 1024 });
  assert.ok(!head.ok);
  assert.equal(head.error.kind, "IncompleteBody");
});
