/**
 * `--workers 2` over fs, through the real process: both workers take
 * connections, a write through one is read at once through the other (object
 * bytes, an overwrite, a multipart upload spread over both), SIGHUP switches
 * both or neither, SIGTERM drains both, a worker that dies is restarted, and
 * /metrics is the sum. A connection is pinned to a worker by asking on it
 * until the access log (`worker=N`) says which worker answered.
 */
import assert from "node:assert/strict";
import { type RawAnswer, RawClient, rawExchange, signedRequestHead } from "../_support/raw_http.ts";
import { DEV, type Gateway, reloadGateway, startGateway } from "./_gateway.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A signed request over `c` (UNSIGNED-PAYLOAD), with a body of bytes or text. */
function signed(
  gw: Gateway,
  c: RawClient,
  r: { method: string; path: string; query?: Record<string, string>; body?: Uint8Array | string },
): Promise<RawAnswer> {
  const body = typeof r.body === "string" ? encoder.encode(r.body) : r.body;
  return signedRequestHead(gw.port, DEV, {
    method: r.method,
    path: r.path,
    ...(r.query ? { query: r.query } : {}),
    headers: { "content-length": String(body?.length ?? 0) },
  }).then((head) => rawExchange(c, head, body));
}

/** The worker that answered request `id`, from its access-log line. */
async function workerOf(gw: Gateway, id: string): Promise<number> {
  const pattern = new RegExp(`${id} [^\\n]* worker=(\\d+)`);
  const m = pattern.exec(await gw.waitForLog(pattern));
  return Number(m![1]);
}

/** A kept-alive connection that worker `worker` serves (new connections land at random). */
async function connectionOn(gw: Gateway, worker: number): Promise<RawClient> {
  for (let i = 0; i < 64; i++) {
    const c = await RawClient.connect(gw.port);
    const a = await rawExchange(c, "GET /public-data/ HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
    if (await workerOf(gw, a.headers.get("x-amz-request-id")!) === worker) return c;
    c.close();
  }
  throw new Error(`no connection landed on worker ${worker} in 64 tries:\n${gw.logs()}`);
}

async function adminUrl(gw: Gateway): Promise<string> {
  const m = /admin listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(
    await gw.waitForLog(/admin listening on/, 10_000),
  );
  return m![1]!;
}

async function metricsText(admin: string): Promise<string> {
  const res = await fetch(`${admin}/metrics`);
  assert.equal(res.status, 200);
  return await res.text();
}

function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const GET_200 =
  'bucketgate_requests_total{operation="GetObject",bucket="public-data",status="200"}';

Deno.test("--workers 2: both serve; a write through one is read at once through the other; /metrics sums", async () => {
  const gw = await startGateway([], { args: ["--workers", "2", "--admin-listen", "127.0.0.1:0"] });
  const on1 = await connectionOn(gw, 1);
  const on2 = await connectionOn(gw, 2);
  try {
    assert.match(gw.logs(), /listening on http:\/\/127\.0\.0\.1:\d+ \(.*; 2 workers\)/);
    // Put on 1, read on 2; overwrite on 2 (same size), read on 1 (the small-object cache).
    assert.equal(
      (await signed(gw, on1, { method: "PUT", path: "/public-data/k", body: "one" })).status,
      200,
    );
    const got = await rawExchange(on2, "GET /public-data/k HTTP/1.1\r\nhost: x\r\n\r\n");
    assert.equal(decoder.decode(got.body), "one");
    assert.equal(
      (await signed(gw, on2, { method: "PUT", path: "/public-data/k", body: "two" })).status,
      200,
    );
    assert.equal(
      decoder.decode(
        (await rawExchange(on1, "GET /public-data/k HTTP/1.1\r\nhost: x\r\n\r\n")).body,
      ),
      "two",
    );
    // A delete on 1 is a 404 on 2 at once.
    assert.equal((await signed(gw, on1, { method: "DELETE", path: "/public-data/k" })).status, 204);
    assert.equal(
      (await rawExchange(on2, "GET /public-data/k HTTP/1.1\r\nhost: x\r\n\r\n")).status,
      404,
    );

    // Multipart: created on 1, part 1 on 2, part 2 on 1, listed on 2, completed on 2.
    const created = await signed(gw, on1, {
      method: "POST",
      path: "/private-uploads/mp.bin",
      query: { uploads: "" },
    });
    assert.equal(created.status, 200);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(decoder.decode(created.body))![1]!;
    const part1 = new Uint8Array(5 * 1024 * 1024).fill(1);
    const part2 = new Uint8Array(1000).fill(2);
    const p1 = await signed(gw, on2, {
      method: "PUT",
      path: "/private-uploads/mp.bin",
      query: { partNumber: "1", uploadId },
      body: part1,
    });
    const p2 = await signed(gw, on1, {
      method: "PUT",
      path: "/private-uploads/mp.bin",
      query: { partNumber: "2", uploadId },
      body: part2,
    });
    assert.equal(p1.status, 200);
    assert.equal(p2.status, 200);
    const listed = await signed(gw, on2, {
      method: "GET",
      path: "/private-uploads/mp.bin",
      query: { uploadId },
    });
    assert.equal(decoder.decode(listed.body).match(/<Part>/g)?.length, 2, "both parts listed");
    const complete = [
      "<CompleteMultipartUpload>",
      `<Part><PartNumber>1</PartNumber><ETag>${p1.headers.get("etag")}</ETag></Part>`,
      `<Part><PartNumber>2</PartNumber><ETag>${p2.headers.get("etag")}</ETag></Part>`,
      "</CompleteMultipartUpload>",
    ].join("");
    const done = await signed(gw, on2, {
      method: "POST",
      path: "/private-uploads/mp.bin",
      query: { uploadId },
      body: complete,
    });
    assert.equal(done.status, 200, decoder.decode(done.body));
    const whole = await signed(gw, on1, { method: "GET", path: "/private-uploads/mp.bin" });
    assert.equal(whole.body.length, part1.length + part2.length);
    assert.equal(whole.body[whole.body.length - 1], 2);

    // /metrics: every GetObject 200 of public-data, whichever worker served it.
    const admin = await adminUrl(gw);
    const before = sample(await metricsText(admin), GET_200);
    for (let i = 0; i < 3; i++) {
      await rawExchange(on1, "GET /public-data/probe-missing HTTP/1.1\r\nhost: x\r\n\r\n");
      await signed(gw, on1, { method: "PUT", path: `/public-data/m${i}`, body: "m" });
      await rawExchange(on1, `GET /public-data/m${i} HTTP/1.1\r\nhost: x\r\n\r\n`);
      await rawExchange(on2, `GET /public-data/m${i} HTTP/1.1\r\nhost: x\r\n\r\n`);
    }
    const text = await metricsText(admin);
    assert.equal(sample(text, GET_200), before + 6, "3 GETs on each worker, summed");
    assert.equal(sample(text, "bucketgate_requests_in_flight"), 0);
    assert.match(text, /^bucketgate_request_duration_seconds_count\{operation="GetObject"\} \d+$/m);
    assert.doesNotMatch(text, /worker/, "no per-worker series: the sum only");
  } finally {
    on1.close();
    on2.close();
    await gw.stop();
  }
  assert.equal(await gw.exited, 0);
  // One whole line per request: every access-log line ends with its worker.
  const access = gw.logs().split("\n").filter((l) => / (GET|PUT|POST|DELETE) \//.test(l));
  assert.ok(access.length > 10);
  for (const l of access) assert.match(l, / worker=[12]$/, l);
});

Deno.test("--workers 2: SIGHUP with a broken config keeps both on the old one; a good one switches both", async () => {
  const gw = await startGateway([], { args: ["--workers", "2"] });
  const path = `${gw.dataDir}/config.yaml`;
  const original = await Deno.readTextFile(path);
  const on1 = await connectionOn(gw, 1);
  const on2 = await connectionOn(gw, 2);
  const status = async (c: RawClient, p: string) =>
    (await rawExchange(c, `GET ${p} HTTP/1.1\r\nhost: x\r\n\r\n`)).status;
  const hup = (expect: RegExp) => reloadGateway(gw, expect);
  try {
    await Deno.mkdir(`${gw.dataDir}/fresh`);
    await Deno.writeTextFile(`${gw.dataDir}/fresh/hello.txt`, "hi");
    assert.equal(await status(on1, "/fresh/hello.txt"), 404);
    assert.equal(await status(on2, "/fresh/hello.txt"), 404);

    await Deno.writeTextFile(
      path,
      original.replace(
        "buckets:\n",
        `buckets:\n  - { name: fresh, backend_type: fs, anonymous_access: true, backend_options: { root: ${gw.dataDir}/fresh } }\n`,
      ),
    );
    const good = await hup(/reloaded /);
    assert.equal(good.match(/reloaded /g)?.length, 1, "said once, by the supervisor");
    assert.equal(await status(on1, "/fresh/hello.txt"), 200, "worker 1 switched");
    assert.equal(await status(on2, "/fresh/hello.txt"), 200, "worker 2 switched");

    await Deno.writeTextFile(path, original.replace("backend_type: fs", "backend_type: nosuch"));
    const refused = await hup(/reload refused; keeping the old config[\s\S]*nosuch/);
    assert.equal(refused.match(/reload refused/g)?.length, 1);
    assert.equal(await status(on1, "/fresh/hello.txt"), 200, "worker 1 kept the old config");
    assert.equal(await status(on2, "/fresh/hello.txt"), 200, "worker 2 kept the old config");

    await Deno.writeTextFile(path, original.replace("buckets:", "buckets: [unclosed"));
    await hup(/reload refused; keeping the old config/);
    assert.equal(await status(on1, "/fresh/hello.txt"), 200);
    assert.equal(await status(on2, "/fresh/hello.txt"), 200);

    // Back to the original: both lose the bucket together.
    await Deno.writeTextFile(path, original);
    await hup(/reloaded /);
    assert.equal(await status(on1, "/fresh/hello.txt"), 404);
    assert.equal(await status(on2, "/fresh/hello.txt"), 404);
  } finally {
    on1.close();
    on2.close();
    await gw.stop();
  }
  assert.equal(await gw.exited, 0);
});

Deno.test("--workers 2: SIGTERM drains both workers: a slow download on each finishes, then exit 0", async () => {
  const gw = await startGateway([], { args: ["--workers", "2"] });
  const size = 16 * 1024 * 1024;
  await Deno.writeFile(`${gw.dataDir}/public-data/big.bin`, new Uint8Array(size).fill(7));
  const clients = [await connectionOn(gw, 1), await connectionOn(gw, 2)];
  try {
    // Each asks for the big object and reads only its head and a little: in flight on both.
    for (const c of clients) {
      await c.write("GET /public-data/big.bin HTTP/1.1\r\nhost: x\r\n\r\n");
      const head = await c.readHead(5000);
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("content-length"), String(size));
      await c.readBody(1024, 5000);
    }
    gw.signal("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    const late = await fetch(`${gw.url}/public-data/big.bin`).catch(() => undefined);
    if (late) {
      assert.equal(late.status, 503, "a new request is refused while draining");
      await late.body?.cancel();
    }
    let exited = false;
    gw.exited.then(() => exited = true);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!exited, "still draining while the downloads are unread");
    for (const c of clients) {
      const rest = await c.readBody(size - 1024, 20_000);
      assert.equal(rest.length, size - 1024);
      assert.equal(rest[rest.length - 1], 7);
    }
    assert.equal(await gw.exited, 0);
    assert.equal(gw.logs().match(/GET \/public-data\/big\.bin 200 /g)?.length, 2, gw.logs());
  } finally {
    for (const c of clients) c.close();
    await gw.stop();
  }
});

Deno.test("--workers 2: a worker that dies is logged and restarted; the other serves meanwhile; metrics keep counting", async () => {
  const gw = await startGateway([], {
    args: ["--workers", "2", "--admin-listen", "127.0.0.1:0"],
    env: { BUCKETGATE_TEST_HOOKS: "1" },
  });
  try {
    await Deno.writeTextFile(`${gw.dataDir}/public-data/a.txt`, "a");
    const admin = await adminUrl(gw);
    const on1 = await connectionOn(gw, 1);
    for (let i = 0; i < 4; i++) {
      await rawExchange(on1, "GET /public-data/a.txt HTTP/1.1\r\nhost: x\r\n\r\n");
    }
    const before = sample(await metricsText(admin), GET_200);
    assert.equal(before, 4);
    gw.signal("SIGUSR2"); // the test hook: worker 1 throws an uncaught error
    await gw.waitForLog(/worker 1 died \(.*test hook.*\); restarting it in 100 ms/);
    assert.equal(await on1.drain(5000).then((d) => d.ended), true, "its connections closed");
    on1.close();
    // Meanwhile and after: every new connection is answered.
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${gw.url}/public-data/a.txt`, { headers: { connection: "close" } });
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
    await gw.waitForLog(/worker 1 restarted/);
    const again = await connectionOn(gw, 1);
    await rawExchange(again, "GET /public-data/a.txt HTTP/1.1\r\nhost: x\r\n\r\n");
    again.close();
    // The dead worker's last counts stay in the sum: the counter does not go back.
    assert.ok(sample(await metricsText(admin), GET_200) >= before + 11);
  } finally {
    await gw.stop();
  }
  assert.equal(await gw.exited, 0);
});
