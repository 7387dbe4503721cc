/** POST Object (browser form uploads) through the whole app over memory backends. */
import assert from "node:assert/strict";
import { sealSession } from "../../src/auth/session_token.ts";
import {
  ADMIN,
  BASE,
  errorCode,
  type Harness,
  harness,
  NOW,
  READER,
  SCOPED,
  testConfig,
} from "./_harness.ts";
import { concatBytes } from "../_support/bytes.ts";
import { formBody, presignedPost, type PresignedPostOptions } from "../_support/post_form.ts";

const HOUR = 3600_000;

/** A signed form's fields for `private` (ADMIN, SigV4, an hour to go) with overrides. */
function fieldsFor(o: Partial<PresignedPostOptions> = {}): [string, string][] {
  return presignedPost({
    bucket: "private",
    key: "up/hello.txt",
    signer: ADMIN,
    expiresAt: NOW + HOUR,
    signedAt: NOW,
    ...o,
  });
}

/** POSTs a form to a bucket URL. */
async function post(
  h: Harness,
  fields: readonly (readonly [string, string])[],
  file: Parameters<typeof formBody>[1] = { data: "hello, form" },
  o: { url?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const { contentType, body } = formBody(fields, file);
  return await postBody(h, contentType, body, o);
}

/** POSTs bytes as they are, with their Content-Length. */
async function postBody(
  h: Harness,
  contentType: string,
  body: Uint8Array<ArrayBuffer> | string,
  o: { url?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  return await h.handle(
    new Request(o.url ?? `${BASE}/private`, {
      method: "POST",
      headers: {
        host: new URL(o.url ?? BASE).host,
        "content-type": contentType,
        "content-length": String(bytes.length),
        ...o.headers,
      },
      body: bytes,
    }),
  );
}

async function stored(h: Harness, bucket: string, key: string): Promise<string | undefined> {
  const got = await h.raw.get(bucket)!.get(key);
  if (!got.ok) return undefined;
  const b = got.value.body;
  return b instanceof Uint8Array ? new TextDecoder().decode(b) : await new Response(b).text();
}

async function refusal(res: Response): Promise<{ status: number; code?: string; msg?: string }> {
  const text = (await res.text()).replaceAll("&quot;", '"');
  return {
    status: res.status,
    ...(/<Code>([^<]*)</.exec(text)?.[1] ? { code: /<Code>([^<]*)</.exec(text)![1]! } : {}),
    ...(/<Message>([^<]*)</.exec(text)?.[1] ? { msg: /<Message>([^<]*)</.exec(text)![1]! } : {}),
  };
}

Deno.test("POST Object: a SigV4 form stores the file with its fields' metadata; 204 with ETag and Location", async () => {
  const h = harness();
  const fields = fieldsFor({
    fields: {
      "Content-Type": "text/plain",
      "x-amz-meta-color": "blue",
      "Cache-Control": "no-cache",
    },
    conditions: [
      ["starts-with", "$Content-Type", "text/"],
      { "x-amz-meta-color": "blue" },
      ["starts-with", "$cache-control", ""],
      ["content-length-range", 1, 100],
    ],
  });
  const res = await post(h, fields);
  assert.equal(res.status, 204, await res.clone().text());
  assert.match(res.headers.get("etag") ?? "", /^"[0-9a-f]{32}"$/);
  assert.equal(res.headers.get("location"), `${BASE}/private/up/hello.txt`);
  assert.equal(await stored(h, "private", "up/hello.txt"), "hello, form");
  const head = await h.raw.get("private")!.head("up/hello.txt");
  assert.ok(head.ok);
  assert.equal(head.value.contentType, "text/plain");
  assert.equal(head.value.cacheControl, "no-cache");
  assert.deepEqual({ ...head.value.userMetadata }, { color: "blue" });
  const logged = h.logs.at(-1)!;
  assert.equal(logged.operation, "PostObject");
  assert.equal(logged.key, "up/hello.txt", "the log names the form's key");
  assert.equal(logged.principal, "admin", "and the form's signer");
  assert.equal(logged.authMode, "access_key");
});

Deno.test("POST Object: success_action_status 200, 201 (PostResponse XML) and anything else 204", async () => {
  const h = harness();
  const status = (s: string) =>
    fieldsFor({ fields: { success_action_status: s }, conditions: [{ success_action_status: s }] });
  const r200 = await post(h, status("200"));
  assert.equal(r200.status, 200);
  assert.equal(await r200.text(), "");
  const r201 = await post(h, status("201"));
  assert.equal(r201.status, 201);
  const xml = await r201.text();
  assert.match(
    xml,
    /<PostResponse><Location>http:\/\/gateway\.test\/private\/up\/hello\.txt<\/Location>/,
  );
  assert.match(
    xml,
    /<Bucket>private<\/Bucket><Key>up\/hello\.txt<\/Key><ETag>&quot;[0-9a-f]{32}&quot;<\/ETag>/,
  );
  const r404 = await post(h, status("404"));
  assert.equal(r404.status, 204);
});

Deno.test("POST Object: success_action_redirect answers 303 with bucket, key and etag in the query", async () => {
  const h = harness();
  const to = "https://app.example/done?from=form";
  const res = await post(
    h,
    fieldsFor({
      key: "up/${filename}",
      fields: { success_action_redirect: to },
      conditions: [["starts-with", "$success_action_redirect", "https://app.example/"]],
    }),
    { data: "x", filename: "C:\\Users\\me\\photo 1.jpg" },
  );
  assert.equal(res.status, 303);
  const etag = await h.raw.get("private")!.head("up/photo 1.jpg");
  assert.ok(etag.ok, "the key takes the file's name after its last backslash");
  assert.equal(
    res.headers.get("location"),
    `${to}&bucket=private&key=up%2Fphoto%201.jpg&etag=${encodeURIComponent(etag.value.etag)}`,
  );
});

Deno.test("POST Object: a violated condition, an uncovered field and an expired policy are 403", async () => {
  const h = harness();
  const wrongKey = await refusal(
    await post(
      h,
      fieldsFor({
        fields: { key: "other/x" },
        noKeyCondition: true,
        conditions: [["starts-with", "$key", "up/"]],
      }).filter(([n], i, all) => n !== "key" || all.findIndex(([m]) => m === "key") !== i),
    ),
  );
  assert.deepEqual(wrongKey, {
    status: 403,
    code: "AccessDenied",
    msg: 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "up/"]',
  });
  const extra = await refusal(await post(h, fieldsFor({ fields: { "x-amz-meta-sneaky": "1" } })));
  assert.deepEqual(extra, {
    status: 403,
    code: "AccessDenied",
    msg: "Invalid according to Policy: Extra input fields: x-amz-meta-sneaky",
  });
  const ignored = await post(h, fieldsFor({ fields: { "x-ignore-submit": "Upload" } }));
  assert.equal(ignored.status, 204, "x-ignore-* fields need no condition");
  const expired = await refusal(
    await post(h, fieldsFor({ expiresAt: NOW - 1000, signedAt: NOW - HOUR })),
  );
  assert.deepEqual(expired, {
    status: 403,
    code: "AccessDenied",
    msg: "Invalid according to Policy: Policy expired.",
  });
  const noBucket = await refusal(await post(h, fieldsFor(), undefined, { url: `${BASE}/public` }));
  assert.equal(noBucket.status, 403, "the bucket condition names another bucket");
  assert.equal(await stored(h, "private", "other/x"), undefined);
});

Deno.test("POST Object: content-length-range and max_body_bytes bound the file", async () => {
  const h = harness(testConfig({ maxBodyBytes: 64 }));
  const range = fieldsFor({ conditions: [["content-length-range", 5, 10]] });
  assert.equal((await refusal(await post(h, range, { data: "1234" }))).code, "EntityTooSmall");
  assert.equal(
    (await refusal(await post(h, range, { data: "12345678901" }))).code,
    "EntityTooLarge",
  );
  assert.equal((await post(h, range, { data: "12345" })).status, 204);
  const big = await refusal(await post(h, fieldsFor(), { data: "x".repeat(65) }));
  assert.equal(big.code, "EntityTooLarge");
});

Deno.test("POST Object: SigV2 forms, bad signatures and unknown keys", async () => {
  const h = harness();
  const v2 = await post(h, fieldsFor({ version: 2 }));
  assert.equal(v2.status, 204, await v2.clone().text());
  assert.equal(await stored(h, "private", "up/hello.txt"), "hello, form");
  const forged = fieldsFor().map(([n, v]): [string, string] =>
    n === "x-amz-signature" ? [n, "0".repeat(64)] : [n, v]
  );
  assert.equal((await refusal(await post(h, forged))).code, "SignatureDoesNotMatch");
  const forgedV2 = fieldsFor({ version: 2 }).map(([n, v]): [string, string] =>
    n === "signature" ? [n, "AAAAAAAAAAAAAAAAAAAAAAAAAAA="] : [n, v]
  );
  assert.equal((await refusal(await post(h, forgedV2))).code, "SignatureDoesNotMatch");
  const stranger = fieldsFor({ signer: { id: "AKIDNOBODY000000001", secret: "x" } });
  assert.equal((await refusal(await post(h, stranger))).code, "InvalidAccessKeyId");
});

Deno.test("POST Object: session credentials sign with x-amz-security-token", async () => {
  const keys = { current: crypto.getRandomValues(new Uint8Array(32)) };
  const h = harness(testConfig(), { sessionKeys: keys });
  const token = sealSession({
    accessKeyId: "ASIATESTTESTTEST0001",
    secretAccessKey: "session-secret",
    roleId: "uploader",
    subject: "user-1",
    sessionName: "s",
    issuer: "https://idp.test",
    scopes: [{ bucket: "private", prefixes: ["up/"], actions: ["put_object"] }],
    expiresAt: NOW + HOUR,
    issuedAt: NOW,
  }, keys);
  const signer = { id: "ASIATESTTESTTEST0001", secret: "session-secret", token };
  const res = await post(h, fieldsFor({ signer }));
  assert.equal(res.status, 204, await res.clone().text());
  const elsewhere = await post(h, fieldsFor({ signer, key: "down/x" }));
  assert.equal((await refusal(elsewhere)).code, "AccessDenied", "the session's scope is up/");
  const stolen = await post(h, fieldsFor({ signer: { ...signer, secret: "guess" } }));
  assert.equal((await refusal(stolen)).code, "SignatureDoesNotMatch");
});

Deno.test("POST Object: authorized as the signer's put_object on the key; anonymous forms refused", async () => {
  const h = harness();
  assert.equal((await refusal(await post(h, fieldsFor({ signer: READER })))).code, "AccessDenied");
  const scoped = await post(h, fieldsFor({ signer: SCOPED, key: "data/ok" }));
  assert.equal(scoped.status, 204);
  const outside = await post(h, fieldsFor({ signer: SCOPED, key: "up/no" }));
  assert.equal((await refusal(outside)).code, "AccessDenied");
  const anonymous = await refusal(
    await post(h, [["key", "anon.txt"]], undefined, { url: `${BASE}/public` }),
  );
  assert.equal(anonymous.status, 403, "even where anonymous_access allows reads");
  assert.equal(await stored(h, "public", "anon.txt"), undefined);
});

Deno.test("POST Object: missing and malformed parts of the request", async () => {
  const h = harness();
  const noLength = await h.handle(
    new Request(`${BASE}/private`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=x" },
      body: new ReadableStream({ start: (c) => c.close() }),
    }),
  );
  assert.equal(noLength.status, 411);
  assert.equal(await errorCode(noLength), "MissingContentLength");
  const notForm = await post(h, fieldsFor(), undefined, {
    headers: { "content-type": "application/octet-stream" },
  });
  assert.equal((await refusal(notForm)).status, 412);
  const noKey = await refusal(await post(h, fieldsFor().filter(([n]) => n !== "key")));
  assert.equal(noKey.code, "InvalidArgument");
  const noSignature = fieldsFor().filter(([n]) => n !== "x-amz-signature");
  assert.equal((await refusal(await post(h, noSignature))).code, "InvalidArgument");
  const badPolicy = fieldsFor().map(([n, v]): [string, string] =>
    n === "policy" ? [n, btoa('{"conditions": []}')] : [n, v]
  );
  assert.equal((await refusal(await post(h, badPolicy))).code, "SignatureDoesNotMatch");
  const tagging = await post(h, fieldsFor({ fields: { tagging: "<Tagging/>" } }));
  assert.equal((await refusal(tagging)).status, 501);
});

Deno.test("POST Object: no file, fields over 20 KB, a field after the file, a wrong Content-Length", async () => {
  const h = harness();
  const { contentType } = formBody([], { data: "" });
  const boundary = contentType.split("boundary=")[1]!;
  const noFile =
    `--${boundary}\r\ncontent-disposition: form-data; name="key"\r\n\r\nk\r\n--${boundary}--\r\n`;
  assert.equal(
    await errorCode(await postBody(h, contentType, noFile)),
    "IncorrectNumberOfFilesInPostRequest",
  );
  const huge = await refusal(
    await post(h, [["x-ignore-pad", "p".repeat(21 * 1024)], ...fieldsFor()]),
  );
  assert.equal(huge.code, "MaxPostPreDataLengthExceededError");
  // A part after the file: its bytes would be taken for the file's.
  const { body } = formBody(fieldsFor(), { data: "file bytes" });
  const close = `\r\n--${boundary}--\r\n`;
  const withTrailer = concatBytes([
    body.subarray(0, body.length - close.length),
    new TextEncoder().encode(
      `\r\n--${boundary}\r\ncontent-disposition: form-data; name="submit"\r\n\r\nUpload${close}`,
    ),
  ]);
  const after = await postBody(h, contentType, withTrailer);
  assert.equal(await errorCode(after), "MalformedPOSTRequest");
  assert.equal(await stored(h, "private", "up/hello.txt"), undefined, "nothing committed");
  // A body that does not end with the closing delimiter.
  const padded = concatBytes([body.subarray(0, body.length - 2), new Uint8Array([0x58, 0x58])]);
  assert.equal(await errorCode(await postBody(h, contentType, padded)), "MalformedPOSTRequest");
  assert.equal(await stored(h, "private", "up/hello.txt"), undefined, "nothing committed");
});

Deno.test("POST Object: checksum fields are verified and stored as on PutObject", async () => {
  const h = harness();
  const data = "checked";
  const sha256 = btoa(String.fromCharCode(
    ...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(data))),
  ));
  const good = await post(h, fieldsFor({ fields: { "x-amz-checksum-sha256": sha256 } }), { data });
  assert.equal(good.status, 204, await good.clone().text());
  assert.equal(good.headers.get("x-amz-checksum-sha256"), sha256);
  const wrong = await post(
    h,
    fieldsFor({ key: "up/bad", fields: { "x-amz-checksum-sha256": sha256 } }),
    {
      data: "not it",
    },
  );
  assert.equal((await refusal(wrong)).code, "BadDigest");
  assert.equal(await stored(h, "private", "up/bad"), undefined);
});

Deno.test("POST Object: virtual-hosted buckets, and non-ASCII metadata stored as on PutObject", async () => {
  const h = harness(testConfig({ domain: "gateway.test" }));
  const res = await post(
    h,
    fieldsFor({
      fields: { "x-amz-meta-name": "Zoë" },
      conditions: [{ "x-amz-meta-name": "Zoë" }],
    }),
    undefined,
    { url: "http://private.gateway.test/", headers: { host: "private.gateway.test" } },
  );
  assert.equal(res.status, 204, await res.clone().text());
  assert.equal(res.headers.get("location"), "http://private.gateway.test/up/hello.txt");
  const head = await h.raw.get("private")!.head("up/hello.txt");
  assert.ok(head.ok);
  assert.equal(
    head.value.userMetadata.name,
    "Zo\u00c3\u00ab",
    "the UTF-8 bytes, as a header gives them",
  );
});
