/** ~300 random requests through the whole app: no 500, S3 XML errors, failed requests store nothing. */
import assert from "node:assert/strict";
import type { Backend } from "../../src/backends/backend.ts";
import { ADMIN, harness, makeRequest, READER, send } from "../integration/_harness.ts";
import { fuzz, percentEscape, randomString, type Rng } from "./_fuzz.ts";

const METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH"];
const BUCKETS = ["public", "private", "prefixed", "nope", "", "%70ublic", "public%2F.."];
const QUERIES = [
  "uploads",
  "uploadId=x",
  "partNumber=1",
  "delete",
  "list-type=2",
  "prefix=%00",
  "max-keys=-1",
  "max-keys=99999",
  "continuation-token=%FF",
  "start-after=..%2F",
  "delimiter=%2F",
  "location",
  "acl",
  "X-Amz-Credential=x",
];

function rawPath(rng: Rng): string {
  let key = "";
  for (let n = rng.int(4); n > 0; n--) {
    key += (key ? "/" : "") + rng.pick([
      () => randomString(rng, 5, ["ascii", "percent"]).replace(/[?#]/g, ""),
      () => percentEscape(rng),
      () => rng.pick(["..", "%2e%2e", "..%2F", "%2F", "%00", "%252F", "%25", "seed.txt", "a%20b"]),
    ])();
  }
  return "/" + rng.pick(BUCKETS) + (key || rng.chance(0.3) ? "/" + key : "");
}

function headers(rng: Rng): Record<string, string> {
  const h: Record<string, string> = {};
  const pool: [string, () => string][] = [
    ["range", () => rng.pick(["bytes=0-1", "bytes=-5", "bytes=5-1", "bytes=99999-", "bytes=x"])],
    ["content-md5", () => rng.pick(["1B2M2Y8AsgTpgAmY7PhCfg==", "bad", ""])],
    ["x-amz-checksum-crc32", () => rng.pick(["AAAAAA==", "x"])],
    [
      "x-amz-copy-source",
      () =>
        rng.pick([
          "/public/seed.txt",
          "private/seed.txt",
          "/nope/x",
          "%2e%2e/x",
          randomString(rng, 6, ["ascii", "percent"]),
        ]),
    ],
    [
      "x-amz-content-sha256",
      () =>
        rng.pick([
          "UNSIGNED-PAYLOAD",
          "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
          "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
          "0".repeat(64),
        ]),
    ],
    ["content-encoding", () => rng.pick(["aws-chunked", "gzip", "aws-chunked,gzip"])],
    ["x-amz-decoded-content-length", () => String(rng.int(20))],
    ["x-amz-trailer", () => rng.pick(["x-amz-checksum-crc32", "junk"])],
    ["if-match", () => rng.pick(["*", '"x"'])],
    ["if-none-match", () => "*"],
    ["x-amz-meta-" + rng.pick(["a", "b"]), () => randomString(rng, 8, ["ascii"]).trim()],
    ["authorization", () => rng.pick(["AWS4-HMAC-SHA256 Credential=x", "AWS a:b", "garbage"])],
    ["x-amz-date", () => rng.pick(["20261124T120000Z", "junk"])],
    ["content-length", () => String(rng.int(40))],
    ["x-amz-security-token", () => "abc"],
    ["x-amz-tagging", () => "a=b"],
    ["x-amz-metadata-directive", () => rng.pick(["COPY", "REPLACE", "bad"])],
  ];
  for (let n = rng.int(4); n > 0; n--) {
    const [name, value] = rng.pick(pool);
    h[name] = value();
  }
  return h;
}

async function snapshot(raw: ReadonlyMap<string, Backend>): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const [name, b] of raw) {
    const l = await b.list({ prefix: "", maxKeys: 1000 });
    const u = await b.listMultipartUploads({ prefix: "", maxUploads: 1000 });
    out[name] = {
      objects: l.ok ? l.value.objects.map((o) => [o.key, o.etag, o.size]) : l.error.kind,
      uploads: u.ok ? u.value.uploads.map((x) => [x.key, x.uploadId]) : u.error.kind,
    };
  }
  return JSON.stringify(out);
}

Deno.test("the app answers ~300 random requests without a 500, with S3 XML errors, storing nothing on failure", async () => {
  const h = harness();
  for (const b of ["public", "private", "prefixed"]) {
    const r = await send(h, `/${b}/seed.txt`, { method: "PUT", body: "seed", key: ADMIN });
    assert.equal(r.status, 200);
    await r.body?.cancel();
  }
  await fuzz("app random requests", { iterations: 300, budgetMs: 2800 }, async ({ rng, note }) => {
    const method = rng.pick(METHODS);
    const query = Array.from({ length: rng.int(3) }, () => rng.pick(QUERIES)).join("&");
    const path = rawPath(rng) + (query ? "?" + query : "");
    const hdrs = headers(rng);
    const body = (method === "PUT" || method === "POST") && rng.chance(0.7)
      ? rng.pick([
        () => randomString(rng, 30, ["ascii", "unicode"]).toWellFormed(),
        () => "<Delete><Object><Key>seed.txt</Key></Object></Delete>",
        () => "5\r\nhello\r\n0\r\n\r\n",
      ])()
      : undefined;
    const key = rng.pick([ADMIN, ADMIN, READER, undefined]);
    const o = {
      method,
      headers: hdrs,
      ...(body !== undefined ? { body } : {}),
      ...(key ? { key } : {}),
      ...(rng.chance(0.2) ? { unsignedPayload: true } : {}),
    };
    note({ path, ...o, key: key?.id });
    let req: Request;
    try {
      req = await makeRequest(path, o);
    } catch {
      return; // the URL or a header cannot be expressed by fetch's Request
    }
    const before = await snapshot(h.raw);
    const res = await h.handle(req);
    const text = await res.text();
    note({ path, ...o, key: key?.id, status: res.status, text: text.slice(0, 300) });
    assert.notEqual(res.status, 500, "internal error");
    if (res.status >= 400) {
      if (method !== "HEAD") {
        assert.match(
          text,
          /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>[A-Za-z0-9]+<\/Code>/,
        );
      }
      assert.equal(await snapshot(h.raw), before, "a failed request changed a backend");
    }
  });
});
