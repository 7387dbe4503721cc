import assert from "node:assert/strict";
import { ANONYMOUS } from "../../../../src/auth/identity.ts";
import {
  createBucket,
  deleteBucket,
  getBucketLocation,
  getBucketVersioning,
  headBucket,
  listBuckets,
} from "../../../../src/s3/ops/buckets.ts";
import {
  authorizerFor,
  bucketConfig,
  identityWith,
  okResponse,
  s3Context,
  unitConfig,
} from "./_context.ts";

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

const config = unitConfig({
  ownerDisplayName: "Owner & Co",
  buckets: [
    bucketConfig("open", { anonymousAccess: true }),
    bucketConfig("mine"),
    bucketConfig("theirs"),
  ],
});

Deno.test("listBuckets() renders the buckets the caller may see, escaped, with a fixed date", async () => {
  const identity = identityWith([{ bucket: "mine", prefixes: ["x/"], actions: ["get_object"] }]);
  const res = listBuckets(config, identity, authorizerFor(config));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/xml");
  const bucket = (n: string) =>
    `<Bucket><Name>${n}</Name><CreationDate>2020-01-01T00:00:00.000Z</CreationDate></Bucket>`;
  assert.equal(
    await res.text(),
    DECL + `<ListAllMyBucketsResult ${NS}><Owner><ID>owner-id</ID>` +
      `<DisplayName>Owner &amp; Co</DisplayName></Owner><Buckets>${bucket("open")}${
        bucket("mine")
      }</Buckets></ListAllMyBucketsResult>`,
  );
});

Deno.test("listBuckets() shows an anonymous caller only anonymous_access buckets", async () => {
  const xml = await listBuckets(config, ANONYMOUS, authorizerFor(config)).text();
  assert.deepEqual([...xml.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]), ["open"]);
});

Deno.test("listBuckets() shows every bucket to a `*` scope", async () => {
  const identity = identityWith([{ bucket: "*", prefixes: [], actions: ["list_bucket"] }]);
  const xml = await listBuckets(config, identity, authorizerFor(config)).text();
  assert.deepEqual(
    [...xml.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]),
    ["open", "mine", "theirs"],
  );
});

Deno.test("headBucket() answers 200 with the region and no body", async () => {
  const res = okResponse(await headBucket(s3Context({ config: { region: "eu-central-1" } })));
  assert.equal(res.status, 200);
  assert.equal(res.body, null);
  assert.deepEqual(Object.fromEntries(res.headers), { "x-amz-bucket-region": "eu-central-1" });
});

Deno.test("getBucketLocation() is empty for us-east-1, as S3 answers", async () => {
  const res = okResponse(await getBucketLocation(s3Context()));
  assert.equal(
    await res.text(),
    DECL + `<LocationConstraint ${NS}></LocationConstraint>`,
  );
});

Deno.test("getBucketLocation() names any other region", async () => {
  const res = okResponse(await getBucketLocation(s3Context({ config: { region: "eu-west-1" } })));
  assert.equal(
    await res.text(),
    DECL + `<LocationConstraint ${NS}>eu-west-1</LocationConstraint>`,
  );
});

Deno.test("getBucketVersioning() answers an empty VersioningConfiguration", async () => {
  const res = okResponse(await getBucketVersioning(s3Context()));
  assert.equal(res.headers.get("content-type"), "application/xml");
  assert.equal(await res.text(), DECL + `<VersioningConfiguration ${NS}/>`);
});

Deno.test("createBucket() on a configured bucket answers 200 with its Location and drops the body", async () => {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({ cancel: () => void (cancelled = true) });
  const res = okResponse(
    await createBucket(s3Context({ op: "CreateBucket", method: "PUT", bucket: "photos", body })),
  );
  assert.equal(res.status, 200);
  assert.equal(res.body, null);
  assert.equal(res.headers.get("location"), "/photos");
  assert.equal(cancelled, true);
});

Deno.test("deleteBucket() on a configured bucket answers 501 NotImplemented: the config makes buckets", async () => {
  const r = await deleteBucket(
    s3Context({ op: "DeleteBucket", method: "DELETE", bucket: "photos" }),
  );
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "NotImplemented");
  assert.match(r.error.message, /buckets come from the configuration/);
});
