import assert from "node:assert/strict";
import { formFields, metadataBytes, objectHeadersOf } from "../../../src/s3/post_form.ts";

Deno.test("formFields() lower-cases names, joins repeats and expands ${filename}", () => {
  const fields = formFields([
    { name: "Key", value: "up/${filename}" },
    { name: "x-amz-meta-tag", value: "Ninja" },
    { name: "X-Amz-Meta-Tag", value: "Stallman" },
    { name: "Content-Disposition", value: 'attachment; filename="${filename}"' },
  ], "C:\\Program Files\\dir/file.txt");
  assert.deepEqual([...fields], [
    ["key", "up/file.txt"],
    ["x-amz-meta-tag", "Ninja,Stallman"],
    ["content-disposition", 'attachment; filename="file.txt"'],
  ]);
  assert.equal(formFields([{ name: "key", value: "a/${filename}" }], undefined).get("key"), "a/");
});

Deno.test("objectHeadersOf() keeps what PutObject stores or forwards, never tagging", () => {
  const h = objectHeadersOf(
    new Map([
      ["content-type", "text/plain"],
      ["cache-control", "max-age=60"],
      ["expires", "Thu, 01 Jan 2037 00:00:00 GMT"],
      ["x-amz-meta-name", "Zoë"],
      ["x-amz-checksum-crc32", "AAAAAA=="],
      ["x-amz-storage-class", "STANDARD_IA"],
      ["x-amz-tagging", "a=b"],
      ["key", "k"],
      ["acl", "private"],
      ["policy", "e30="],
    ]),
  );
  assert.ok(h.ok);
  assert.deepEqual([...h.value].sort(), [
    ["cache-control", "max-age=60"],
    ["content-type", "text/plain"],
    ["expires", "Thu, 01 Jan 2037 00:00:00 GMT"],
    ["x-amz-checksum-crc32", "AAAAAA=="],
    ["x-amz-meta-name", "Zo\u00c3\u00ab"],
    ["x-amz-storage-class", "STANDARD_IA"],
  ]);
  const bad = objectHeadersOf(new Map([["x-amz-meta-a", "line\r\nbreak"]]));
  assert.ok(!bad.ok);
  assert.equal(bad.error.kind, "InvalidArgument");
  const badName = objectHeadersOf(new Map([["x-amz-meta-a b", "v"]]));
  assert.ok(!badName.ok);
});

Deno.test("metadataBytes() counts the UTF-8 bytes of names without the prefix, and values", () => {
  assert.equal(metadataBytes(new Map([["x-amz-meta-ab", "é"], ["key", "xxxx"]])), 4);
});
