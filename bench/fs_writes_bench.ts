/**
 * The fs backend's writes in-process, µs per PUT of 1 KiB (issue 25): no
 * condition, `If-None-Match: *` on a new key, `If-Match` on the writer's own
 * key, each with and without fsync, 8 writers at once on their own keys; and
 * a key's bare turn (open, flock, close). What the exclusion costs a write is
 * the conditional rows against the unconditional one of the same fsync.
 * Run with `deno task bench:micro` (or `deno bench --allow-all bench/fs_writes_bench.ts`).
 */
import type { Backend } from "../src/backends/backend.ts";
import { createFsBackend } from "../src/backends/fs/fs.ts";
import { createKeyLocks } from "../src/backends/fs/key_locks.ts";
import { ok } from "../src/result.ts";

const WRITERS = 8;
const body = crypto.getRandomValues(new Uint8Array(1024));
const meta = { userMetadata: {} };

const root = await Deno.makeTempDir({ prefix: "bucketgate-fs-bench-" });
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));
const backends = {
  off: createFsBackend({ root: `${root}/off`, fsync: false }),
  on: createFsBackend({ root: `${root}/on`, fsync: true }),
};
const etags = new Map<string, string>();

/** One PUT by each of the 8 writers at once, on its own key. */
async function round(b: Backend, kind: "put" | "inm" | "im", tag: string): Promise<void> {
  await Promise.all(Array.from({ length: WRITERS }, async (_, i) => {
    const key = kind === "inm" ? `n/${crypto.randomUUID()}` : `${kind}/${tag}/${i}`;
    const etag = etags.get(key);
    const conditions = kind === "inm"
      ? { ifNoneMatch: "*" }
      : kind === "im" && etag
      ? { ifMatch: etag }
      : undefined;
    const r = await b.put(key, new Blob([body]).stream(), {
      meta,
      ...(conditions ? { conditions } : {}),
    });
    if (!r.ok) throw new Error(`${kind} ${key}: ${r.error.message}`);
    if (kind === "im") etags.set(key, r.value.etag);
  }));
}

for (const fsync of ["off", "on"] as const) {
  const group = `fs 8 writers × 1 KiB, fsync ${fsync}`;
  Deno.bench(`PUT, no condition (fsync ${fsync})`, { group, baseline: true, n: 200 }, async () => {
    await round(backends[fsync], "put", fsync);
  });
  Deno.bench(`PUT If-None-Match: * (fsync ${fsync})`, { group, n: 200 }, async () => {
    await round(backends[fsync], "inm", fsync);
  });
  Deno.bench(`PUT If-Match (fsync ${fsync})`, { group, n: 200 }, async () => {
    await round(backends[fsync], "im", fsync);
  });
}

const locks = createKeyLocks({ base: `${root}/locks` });
Deno.bench("a key's free turn: open, flock, close", { n: 2000 }, async () => {
  await locks.hold({ key: "k" }, () => Promise.resolve(ok(undefined)));
});
