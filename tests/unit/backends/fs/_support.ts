/** Shared pieces of the backends' unit tests: temp roots, bodies, a completed upload and injected OS errors. */
import assert from "node:assert/strict";
import type { Backend, HttpMeta } from "../../../../src/backends/backend.ts";
import { type Clock, systemClock } from "../../../../src/clock.ts";
import type { FsContext } from "../../../../src/backends/fs/context.ts";
import { fsContext } from "../../../../src/backends/fs/fs.ts";

/** Metadata with nothing set. */
export const NO_META: HttpMeta = { userMetadata: {} };

/** A body of `s`. */
export const body = (s: string): ReadableStream<Uint8Array> => new Blob([s]).stream();

/** Runs `fn` with a fresh bucket root (a `bucket` directory beside an `outside.txt`), removed after. */
export async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const parent = await Deno.makeTempDir({ prefix: "bucketgate-fs-unit-" });
  const root = `${parent}/bucket`;
  await Deno.mkdir(root);
  await Deno.writeTextFile(`${parent}/outside.txt`, "secret");
  try {
    await fn(root);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
}

/** Every file under `dir`, relative to it, sorted. */
export async function tree(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${rel}`)) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await tree(dir, p));
    else out.push(p);
  }
  return out.sort();
}

/**
 * EACCES as Deno raises it (the class, the errno, the path in the message).
 * Tests run as root, where chmod 000 denies nothing, so the error is injected.
 */
export function permissionDenied(op: string, path: string): Error {
  return Object.assign(
    new Deno.errors.PermissionDenied(`Permission denied (os error 13): ${op} '${path}'`),
    { code: "EACCES" },
  );
}

type Patchable = "readTextFile" | "readDir" | "remove";

/** Runs `fn` with `Deno[name]` failing with EACCES for paths `fails` accepts; restores it after. */
export async function withDenied(
  name: Patchable,
  fails: (path: string) => boolean,
  fn: () => Promise<void>,
): Promise<void> {
  const d = Deno as unknown as Record<
    Patchable,
    (path: string | URL, ...rest: unknown[]) => unknown
  >;
  const real = d[name];
  d[name] = (path, ...rest) => {
    if (fails(String(path))) {
      const e = permissionDenied(name.toLowerCase(), String(path));
      if (name === "readDir") {
        return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(e) }) };
      }
      return Promise.reject(e);
    }
    return real(path, ...rest);
  };
  try {
    await fn();
  } finally {
    d[name] = real;
  }
}

/** The state one fs backend over `root` passes its parts, wired as fs.ts wires it. */
export function fsContextAt(root: string, clock: Clock = systemClock): FsContext {
  return fsContext({ root, clock });
}

/** A spooled file of `ctx` holding `text` (in its temp directory, as spool.ts leaves one). */
export async function spooled(ctx: FsContext, text: string): Promise<string> {
  await ctx.ensureDirs();
  const tmp = ctx.layout.tmp();
  await Deno.writeTextFile(tmp, text);
  return tmp;
}

/** Completes a one-part upload of `key`; returns the Complete to send again. */
export async function completed(b: Backend, key: string) {
  const id = await b.createMultipartUpload(key, { meta: NO_META });
  assert.ok(id.ok);
  const p = await b.uploadPart({ key, uploadId: id.value }, { partNumber: 1, body: body(key) });
  assert.ok(p.ok);
  const parts = [{ partNumber: 1, etag: p.value.etag }];
  assert.ok((await b.completeMultipartUpload({ key, uploadId: id.value }, parts)).ok);
  return () => b.completeMultipartUpload({ key, uploadId: id.value }, parts);
}
