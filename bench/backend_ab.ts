// deno-lint-ignore-file no-console -- a bench tool prints its results.
/**
 * In-process A/B of the `s3` backend's GetObject and the handler around it
 * (issue 30), each checkout's code in one process, as bench/auth_ab.ts does
 * for `authenticate`: `backend` is `getObject` of backends/s3/objects.ts
 * (request build, SigV4, retry, `send`, `metaFrom`) and `handler` is
 * s3/ops/get_object.ts's GetObject over it (conditions read, the client's
 * response headers, `new Response`). `fetch` is replaced by a stub that does
 * what fetch does synchronously with our arguments (`new Request(url, init)`:
 * the URL parsed, the headers record filled, the signal followed) and answers
 * a 1 KiB object with an S3 store's headers, so only our side is measured.
 * Batches of 200 calls of each case alternate (150 rounds, the order reversed
 * every other round), so the machine's drift hits every case alike; min,
 * median and p75 are over the batches' per-call means. Each call has a fresh
 * client signal, as each request does. The store is
 * anonymous: SigV4 signing (sigv4/, measured by its own benches) would add
 * ~15 µs of the same code to both sides. Read min and
 * median.
 *
 *   ROOTS=main=/tmp/ab-<sha>,new=. deno run -A bench/backend_ab.ts
 *
 * Allocation per call (heap growth over 500 calls after a full GC, no scavenge between):
 *
 *   ALLOC=1 ROOTS=... deno run -A --v8-flags=--expose-gc,--min-semi-space-size=64 \
 *     bench/backend_ab.ts
 */
import { sdkHeaders } from "./_sdk.ts";

const here = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const roots = (Deno.env.get("ROOTS") ?? "this=.").split(",").map((x) => {
  const [name, dir] = x.split("=") as [string, string];
  return { name, dir: dir === "." ? here : dir };
});

const OBJECT = new Uint8Array(1024);
/** What an S3 store answers a GetObject of a 1 KiB object with. */
const ANSWER: Record<string, string> = {
  "accept-ranges": "bytes",
  "content-length": "1024",
  "content-type": "application/octet-stream",
  date: "Mon, 07 Dec 2026 23:00:00 GMT",
  etag: '"0f343b0931126a20f133d67c2b018a3b"',
  "last-modified": "Mon, 07 Dec 2026 22:00:00 GMT",
  server: "AmazonS3",
  "x-amz-checksum-crc32": "2ZjXuA==",
  "x-amz-id-2": "Vb5pTdvFpMfAeXwzGWXsPfvf9wIQ1i3h1M2OU3tC0FnnG/hz7zHXBeLCdQ4hA2Tx",
  "x-amz-request-id": "4442587FB7D0A2F9",
  "x-amz-server-side-encryption": "AES256",
};
globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  new Request(input, init);
  return Promise.resolve(new Response(OBJECT, { status: 200, headers: ANSWER }));
};

const clientHeaders = new Headers({ host: "127.0.0.1:8080", ...sdkHeaders() });
const options = {
  endpoint: "http://127.0.0.1:9000",
  bucketName: "bench",
  region: "us-east-1",
  forcePathStyle: true,
  requestTimeoutMs: 30_000,
};

type Call = () => Promise<void>;
const cases: { name: string; call: Call }[] = [];
for (const { name, dir } of roots) {
  const { createS3Client } = await import(`${dir}/src/backends/s3/client.ts`);
  const objects = await import(`${dir}/src/backends/s3/objects.ts`);
  const ops = await import(`${dir}/src/s3/ops/get_object.ts`);
  const client = createS3Client(options, { clock: { now: () => Date.now() } });
  const get = async (key: string, opts: Record<string, unknown>) => {
    const r = await objects.getObject(client, key, opts);
    if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
    return r;
  };
  const backend: Call = async () => {
    const r = await get("dir/1k.bin", { signal: new AbortController().signal, conditions: {} });
    await r.value.body.cancel();
  };
  const handler: Call = async () => {
    const ctx = {
      req: { key: "dir/1k.bin", query: new URLSearchParams(), headers: clientHeaders },
      identity: { kind: "access_key" },
      bucket: { backend: { get } },
      signal: new AbortController().signal,
    };
    const r = await ops.getObject(ctx);
    if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
    await r.value.body?.cancel();
  };
  cases.push({ name: `backend ${name}`, call: backend }, {
    name: `handler ${name}`,
    call: handler,
  });
}

/** Per-call µs of each batch, the cases' batches alternating so drift hits all alike. */
async function timed(rounds: number, batch: number): Promise<Map<string, number[]>> {
  const out = new Map(cases.map((c) => [c.name, [] as number[]]));
  for (let r = 0; r < rounds; r++) {
    for (const c of r % 2 ? [...cases].reverse() : cases) {
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) await c.call();
      out.get(c.name)!.push(((performance.now() - t0) * 1000) / batch);
    }
  }
  return out;
}

const q = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))]!;
if (Deno.env.get("ALLOC") !== "1") {
  await timed(10, 300); // warm up
  for (const [name, xs] of await timed(150, 200)) {
    console.log(
      `${name.padEnd(16)} min ${q(xs, 0).toFixed(1)}  median ${q(xs, 0.5).toFixed(1)}  p75 ${
        q(xs, 0.75).toFixed(1)
      } µs/call`,
    );
  }
} else {for (const c of cases) {
    for (let i = 0; i < 3_000; i++) await c.call(); // warm up
    const n = 500;
    (globalThis as { gc?: () => void }).gc?.();
    const before = Deno.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) await c.call();
    const grown = Deno.memoryUsage().heapUsed - before;
    console.log(`${c.name}: ${Math.round(grown / n)} B/call`);
  }}
