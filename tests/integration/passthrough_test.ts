/**
 * Headers only a remote S3 store acts on: forwarded to the backend on writes
 * (never ACLs), the store's answers shown on reads, and SSE-C refused.
 */
import assert from "node:assert/strict";
import type { Backend, ForwardedHeaders } from "../../src/backends/backend.ts";
import { ADMIN, errorCode, harness, send } from "./_harness.ts";

/** A backend that records what was forwarded and claims a storage class on reads. */
function spy(seen: ForwardedHeaders[]): (b: Backend) => Backend {
  const answers = {
    "x-amz-storage-class": "STANDARD_IA",
    "x-amz-server-side-encryption": "AES256",
  };
  return (b) => ({
    ...b,
    async put(key, body, o) {
      seen.push(o.forward ?? {});
      const r = await b.put(key, body, o);
      return r.ok ? { ok: true, value: { ...r.value, backendHeaders: answers } } : r;
    },
    copy(src, dst, o) {
      seen.push(o.forward ?? {});
      return b.copy(src, dst, o);
    },
    createMultipartUpload(key, o) {
      seen.push(o.forward ?? {});
      return b.createMultipartUpload(key, o);
    },
    async head(key) {
      const r = await b.head(key);
      return r.ok ? { ok: true, value: { ...r.value, backendHeaders: answers } } : r;
    },
  });
}

const WRITE_HEADERS = {
  "x-amz-storage-class": "STANDARD_IA",
  "x-amz-server-side-encryption": "aws:kms",
  "x-amz-server-side-encryption-aws-kms-key-id": "alias/data",
  "x-amz-tagging": "team=data",
  "x-amz-acl": "public-read",
};
const FORWARDED = {
  "x-amz-storage-class": "STANDARD_IA",
  "x-amz-server-side-encryption": "aws:kms",
  "x-amz-server-side-encryption-aws-kms-key-id": "alias/data",
  "x-amz-tagging": "team=data",
};

Deno.test("storage class, SSE and tagging reach the backend on every write; ACLs never do", async () => {
  const seen: ForwardedHeaders[] = [];
  const h = harness(undefined, { wrapBackend: spy(seen) });
  const put = await send(h, "/private/a", {
    method: "PUT",
    key: ADMIN,
    body: "x",
    headers: WRITE_HEADERS,
  });
  assert.equal(put.status, 200);
  assert.equal(put.headers.get("x-amz-storage-class"), "STANDARD_IA", "the store's answer");
  const copy = await send(h, "/private/b", {
    method: "PUT",
    key: ADMIN,
    headers: { ...WRITE_HEADERS, "x-amz-copy-source": "/private/a" },
  });
  assert.equal(copy.status, 200);
  const mpu = await send(h, "/private/c?uploads", {
    method: "POST",
    key: ADMIN,
    headers: WRITE_HEADERS,
  });
  assert.equal(mpu.status, 200);
  assert.deepEqual(seen, [FORWARDED, FORWARDED, FORWARDED]);
});

Deno.test("a HEAD shows the store's storage class and encryption", async () => {
  const h = harness(undefined, { wrapBackend: spy([]) });
  await send(h, "/private/a", { method: "PUT", key: ADMIN, body: "x" });
  const head = await send(h, "/private/a", { method: "HEAD", key: ADMIN });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("x-amz-storage-class"), "STANDARD_IA");
  assert.equal(head.headers.get("x-amz-server-side-encryption"), "AES256");
});

Deno.test("SSE-C is refused with 501 NotImplemented, on writes, reads and copy sources", async () => {
  const h = harness();
  const sseC = {
    "x-amz-server-side-encryption-customer-algorithm": "AES256",
    "x-amz-server-side-encryption-customer-key": "a2V5",
    "x-amz-server-side-encryption-customer-key-md5": "bWQ1",
  };
  for (
    const [method, headers] of [
      ["PUT", sseC],
      ["GET", sseC],
      ["PUT", {
        "x-amz-copy-source": "/private/a",
        "x-amz-copy-source-server-side-encryption-customer-algorithm": "AES256",
      }],
    ] as const
  ) {
    const res = await send(h, "/private/k", {
      method,
      key: ADMIN,
      headers,
      ...(method === "PUT" ? { body: "x" } : {}),
    });
    assert.equal(res.status, 501, `${method} ${Object.keys(headers)}`);
    assert.equal(await errorCode(res), "NotImplemented");
  }
  assert.equal((await h.raw.get("private")!.head("k")).ok, false, "nothing stored");
});

/** Gives memory backends one store id, recording server-side cross-bucket copies. */
function oneStore(copies: string[]): (b: Backend) => Backend {
  let n = 0;
  return (b) => {
    const bucket = `bucket-${n++}`;
    return {
      ...b,
      locate: (key) => ({ store: "shared", bucket, key }),
      async copyFrom(source, dst, o) {
        copies.push(`${source.bucket}/${source.key} -> ${bucket}/${dst}`);
        // The memory stand-in reads the bytes through the public interface.
        return await b.put(dst, new Blob([source.key]).stream(), {
          meta: o.meta ?? { userMetadata: {} },
        });
      },
    };
  };
}

Deno.test("a copy between two buckets of one store is server-side; of two stores it streams", async () => {
  const copies: string[] = [];
  const h = harness(undefined, { wrapBackend: oneStore(copies) });
  await send(h, "/private/src", { method: "PUT", key: ADMIN, body: "bytes" });
  const res = await send(h, "/public/dst", {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": "/private/src" },
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(copies.length, 1, "copyFrom was used");
  assert.match(copies[0]!, /\/src -> bucket-\d+\/dst$/);

  const plain = harness();
  await send(plain, "/private/src", { method: "PUT", key: ADMIN, body: "bytes" });
  const streamed = await send(plain, "/public/dst", {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": "/private/src" },
  });
  assert.equal(streamed.status, 200);
  const got = await send(plain, "/public/dst", { key: ADMIN });
  assert.equal(await got.text(), "bytes");
});
