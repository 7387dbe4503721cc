import assert from "node:assert/strict";
import { fixedClock } from "../../../../src/clock.ts";
import { createS3Client, queryString } from "../../../../src/backends/s3/client.ts";
import { s3OptionsOf } from "../../../_support/backend_options.ts";
import { fakeStore } from "./_fake_store.ts";
import { getObject, putObject } from "../../../../src/backends/s3/objects.ts";
import { USER_AGENT } from "../../../../src/version.ts";
import { uriEncode } from "../../../../src/sigv4/canonical.ts";
import { closeQuietly, readHead, tcpServer } from "../../../_support/tcp.ts";

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);

Deno.test("a failing read backs off through the injected sleep (no real waiting), doubling each time", async () => {
  const slept: number[] = [];
  const { backend, seen } = fakeStore((_req, n) => ({ status: n < 2 ? 503 : 200 }), {
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
  });
  const r = await backend.head("k");
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  assert.equal(seen.length, 3);
  assert.deepEqual(slept, [100, 200]);
});

Deno.test("a write is never retried, so never sleeps", async () => {
  const slept: number[] = [];
  const { backend, seen } = fakeStore(() => ({ status: 503 }), {
    sleep: (ms) => Promise.resolve(void slept.push(ms)),
  });
  const r = await backend.put("k", new Blob(["x"]).stream(), {
    meta: { userMetadata: {} },
    contentLength: 1,
  });
  assert.ok(!r.ok && r.error.kind === "BackendError");
  assert.equal(seen.length, 1);
  assert.deepEqual(slept, []);
});

Deno.test("requests are signed at the injected clock's time", async () => {
  const { backend, seen } = fakeStore(() => ({ status: 200 }), {
    clock: fixedClock(NOW),
    signed: true,
  });
  await backend.head("k");
  const h = seen[0]!.headers;
  assert.equal(h["x-amz-date"], "20240102T030405Z");
  assert.match(
    h.authorization ?? "",
    /Credential=AKIDEXAMPLE\/20240102\/us-east-1\/s3\/aws4_request/,
  );
  assert.equal(h["accept-encoding"], "identity");
});

Deno.test("createS3Client() addresses virtual-hosted and path-style buckets", () => {
  const clock = fixedClock(NOW);
  const aws = createS3Client(
    s3OptionsOf({ bucket_name: "bkt", region: "eu-west-1", skip_signature: true }),
    { clock },
  );
  assert.equal(aws.pathOf("a b/c"), "/a%20b/c");
  assert.equal(aws.bucketRoot, "/");
  assert.equal(aws.locate("k").bucket, "bkt");
  const local = createS3Client(
    s3OptionsOf({ endpoint: "http://h:9000/base/", bucket_name: "bkt", skip_signature: true }),
    { clock },
  );
  assert.equal(local.pathOf("k"), "/base/bkt/k");
  assert.equal(local.bucketRoot, "/base/bkt");
  assert.ok(local.unreadable("a/../b"));
  assert.notEqual(local.locate("k").store, aws.locate("k").store);
});

Deno.test("a key with a dot segment never reaches the store", async () => {
  const { backend, seen } = fakeStore(() => ({ status: 200 }));
  const r = await backend.put("a/../b", new Blob(["x"]).stream(), {
    meta: { userMetadata: {} },
    contentLength: 1,
  });
  assert.ok(!r.ok);
  assert.equal(seen.length, 0);
});

Deno.test("queryString() encodes RFC 3986 style and leaves a bare `uploads`", () => {
  const q = new URLSearchParams({ uploads: "", prefix: "a b*" });
  assert.equal(queryString(q), "uploads&prefix=a%20b%2A");
});

/**
 * A store on a raw socket that records each request's head (up to the blank
 * line) and answers 200 with a 2-byte body, reading an upload's body first.
 */
function headRecorder() {
  const heads: string[] = [];
  const server = tcpServer(async (conn) => {
    const buf = new Uint8Array(65536);
    try {
      const read = await readHead(conn);
      if (!read) return;
      heads.push(read.head);
      const length = Number(/content-length: (\d+)/i.exec(read.head)?.[1] ?? 0);
      for (let got = read.extra; got < length;) {
        const n = await conn.read(buf);
        if (n === null) return;
        got += n;
      }
      await conn.write(new TextEncoder().encode("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"));
    } finally {
      closeQuietly(conn);
    }
  });
  return { heads, port: server.port, close: () => server.close() };
}

Deno.test({
  name: "a GetObject and a streamed PutObject send the same head, byte for byte, signed or not",
  sanitizeResources: false, // node:http's keep-alive pool holds its socket
  sanitizeOps: false,
  async fn() {
    const store = headRecorder();
    try {
      const host = `127.0.0.1:${store.port}`;
      const endpoint = `http://${host}`;
      const unsigned = createS3Client(
        s3OptionsOf({ endpoint, bucket_name: "bkt", force_path_style: true, skip_signature: true }),
        { clock: fixedClock(NOW) },
      );
      const signed = createS3Client(
        s3OptionsOf({
          endpoint,
          bucket_name: "bkt",
          force_path_style: true,
          access_key_id: "AKIDEXAMPLE",
          secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        }),
        { clock: fixedClock(NOW) },
      );
      for (const c of [unsigned, signed]) {
        const got = await getObject(c, "d/k.bin", {
          range: { kind: "from", start: 0, end: 1 },
          conditions: { ifNoneMatch: '"e"' },
        });
        assert.ok(got.ok && (await new Response(got.value.body).text()) === "ok");
        const put = await putObject(c, "d/k.bin", {
          stream: new Blob(["xyz"]).stream(),
          contentLength: 3,
          meta: { userMetadata: {} },
        });
        assert.ok(put.ok);
      }
      const fetched = [
        "accept-encoding: identity",
        `user-agent: ${USER_AGENT}`,
        'if-none-match: "e"',
        "x-amz-checksum-mode: ENABLED",
        "range: bytes=0-1",
      ];
      const fetchTail = ["accept: */*", "accept-language: *", `host: ${host}`];
      const date = "x-amz-date: 20240102T030405Z";
      const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
      const lines = (h: string) => h.split("\r\n").filter((l) => !l.startsWith("authorization:"));
      assert.deepEqual(lines(store.heads[0]!), [
        "GET /bkt/d/k.bin HTTP/1.1",
        ...fetched,
        ...fetchTail,
      ]);
      assert.deepEqual(lines(store.heads[2]!), [
        "GET /bkt/d/k.bin HTTP/1.1",
        ...fetched,
        date,
        `x-amz-content-sha256: ${empty}`,
        ...fetchTail,
      ]);
      assert.match(store.heads[2]!, /\r\nauthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
      for (
        const [i, signing] of [[1, []], [3, [
          date,
          "x-amz-content-sha256: UNSIGNED-PAYLOAD",
        ]]] as const
      ) {
        assert.deepEqual(lines(store.heads[i]!).filter((l) => !/^connection:/i.test(l)), [
          "PUT /bkt/d/k.bin HTTP/1.1",
          `host: ${host}`,
          "accept-encoding: identity",
          `user-agent: ${USER_AGENT}`,
          ...signing,
          "content-length: 3",
        ], store.heads[i]);
      }
    } finally {
      await store.close();
    }
  },
});

Deno.test("pathOf() encodes a key as uriEncode does, folders of plain names taken as they are", () => {
  const c = createS3Client(
    s3OptionsOf({ endpoint: "http://h:9000", bucket_name: "bkt", skip_signature: true }),
    { clock: fixedClock(NOW) },
  );
  const alphabet = [
    "a",
    "Z",
    "0",
    "/",
    "-",
    "_",
    ".",
    "~",
    " ",
    "%",
    "+",
    "*",
    "!",
    "é",
    "😀",
    "?",
  ];
  const keys = ["dir/1k.bin", "a/b/", "/lead", "x", "a b/c", "a+b", "it's(1)*", "ü/ö"];
  for (let i = 0; i < 2_000; i++) {
    let k = "";
    for (let j = 0; j < 1 + (i % 12); j++) {
      k += alphabet[(i * 7 + j * 13 + (i >> 3)) % alphabet.length];
    }
    keys.push(k);
  }
  for (const k of keys) assert.equal(c.pathOf(k), `/bkt/${uriEncode(k, true)}`, k);
});
