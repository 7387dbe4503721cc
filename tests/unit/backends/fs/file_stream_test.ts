import assert from "node:assert/strict";
import { fileStream, readWhole } from "../../../../src/backends/fs/file_stream.ts";
import { withRoot } from "./_support.ts";

async function fileOf(root: string, text: string): Promise<Deno.FsFile> {
  await Deno.writeTextFile(`${root}/f`, text);
  return await Deno.open(`${root}/f`);
}

const closed = (f: Deno.FsFile) => {
  try {
    f.readSync(new Uint8Array(1));
    return false;
  } catch (e) {
    return e instanceof Deno.errors.BadResource;
  }
};

Deno.test("fileStream(): `length` bytes from the file's position, then the file is closed", async () => {
  await withRoot(async (root) => {
    const file = await fileOf(root, "0123456789");
    await file.seek(2, Deno.SeekMode.Start);
    assert.equal(await new Response(fileStream(file, 5)).text(), "23456");
    assert.equal(closed(file), true);
  });
});

Deno.test("fileStream(): reads only when asked, in chunks of at most 256 KiB", async () => {
  await withRoot(async (root) => {
    const file = await fileOf(root, "x".repeat(600 * 1024));
    const reader = fileStream(file, 600 * 1024).getReader();
    const sizes: number[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) sizes.push(r.value.length);
    assert.deepEqual(sizes, [256 * 1024, 256 * 1024, 88 * 1024]);
  });
});

Deno.test("fileStream(): a file that shrank while read errors the stream; a cancel closes the file", async () => {
  await withRoot(async (root) => {
    const file = await fileOf(root, "abc");
    await assert.rejects(new Response(fileStream(file, 10)).text(), {
      message: "file shrank while being read",
    });
    assert.equal(closed(file), true);
    const other = await fileOf(root, "abcdef");
    await fileStream(other, 6).cancel();
    assert.equal(closed(other), true);
  });
});

Deno.test("readWhole(): the first `length` bytes; a file shorter than that throws", async () => {
  await withRoot(async (root) => {
    using file = await fileOf(root, "hello world");
    assert.equal(new TextDecoder().decode(readWhole(file, 5)), "hello");
    using short = await fileOf(root, "hi");
    assert.throws(() => readWhole(short, 3), { message: "file shrank while being read" });
  });
});
