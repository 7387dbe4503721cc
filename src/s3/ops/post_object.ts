/**
 * POST Object: a browser form upload (`multipart/form-data` to the bucket's
 * URL, as boto3's `generate_presigned_post` and the JS SDK's
 * `createPresignedPost` prepare it). The fields before the file are read
 * (at most 20 KB, as S3 allows), the policy's signature proves the signer,
 * the policy's conditions are checked, the signer must be allowed
 * `put_object` on the key, and the file streams to the backend with its
 * length known from the request's Content-Length.
 */
import { missingField, verifyPostForm } from "../../auth/post_form.ts";
import type { Identity } from "../../auth/identity.ts";
import { validateKey } from "../../backends/keys.ts";
import { checksumVerifier, readChecksumHeaders } from "../../checksum/verify.ts";
import { type ProxyError, proxyError } from "../../errors.ts";
import { closingDelimiter, fileData } from "../../http/multipart_file.ts";
import {
  formBoundary,
  type FormHead,
  malformedPost,
  readFormHead,
} from "../../http/multipart_form.ts";
import { err, ok, type Result } from "../../result.ts";
import { type Located, locateKey, type S3Context } from "../context.ts";
import { checksumHeaders } from "../checksum_headers.ts";
import { forwardedHeaders, metaFromHeaders } from "../headers.ts";
import { formFields, metadataBytes, objectHeadersOf } from "../post_form.ts";
import { checkLength, checkPolicy, parsePolicy } from "../post_policy.ts";
import { objectLocation, postAnswer } from "../post_response.ts";
import { MAX_USER_METADATA_BYTES } from "../request.ts";

/** S3's bound on the form before the file's data (fields and boundaries). */
export const MAX_FORM_HEAD_BYTES = 20 * 1024;

/** An admitted upload: where it goes, how long it is, what it is stored with. */
interface Admitted {
  /** The form's signer. */
  readonly identity: Identity;
  /** Where the form's key is stored (its mapped bucket under `path_mapping`), and how it is shown. */
  readonly at: Located;
  readonly fields: ReadonlyMap<string, string>;
  readonly headers: Headers;
  readonly length: number;
  readonly boundary: string;
}

/** POST Object: a browser form upload to the bucket. */
export async function postObject(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  const total = ctx.contentLength;
  if (total === undefined) {
    return err(
      proxyError("MissingContentLength", "You must provide the Content-Length HTTP header."),
    );
  }
  const boundary = formBoundary(ctx.req.headers.get("content-type"));
  if (boundary === undefined) {
    return err(proxyError(
      "PreconditionFailed",
      "Bucket POST must be of the enclosure-type multipart/form-data",
    ));
  }
  if (!ctx.body) return err(malformedPost("no body"));
  const head = await readFormHead(ctx.body, { boundary, maxBytes: MAX_FORM_HEAD_BYTES });
  if (!head.ok) return head;
  const admitted = admit(ctx, head.value, { total, boundary });
  if (!admitted.ok) {
    void head.value.rest.cancel().catch(() => {});
    return admitted;
  }
  // Limited as its signer (not anonymous), before a byte of the file moves.
  const file = ctx.admitSigner
    ? await ctx.admitSigner(
      admitted.value.identity,
      head.value.rest,
      admitted.value.at.bucket.config.name,
    )
    : ok(head.value.rest);
  if (!file.ok) {
    void head.value.rest.cancel().catch(() => {});
    return file;
  }
  return await store(ctx, admitted.value, file.value);
}

/** The form's fields, signature, policy and the signer's rights: what to store, or why not. */
function admit(
  ctx: S3Context,
  head: FormHead,
  body: { readonly total: number; readonly boundary: string },
): Result<Admitted, ProxyError> {
  const fields = formFields(head.fields, head.filename);
  const key = fields.get("key");
  if (key === undefined || key === "") return err(missingField("key"));
  if (fields.has("tagging")) {
    return err(proxyError("NotImplemented", "Object tagging is not implemented by bucketgate"));
  }
  if (!ctx.keys) return err(proxyError("Internal", "no keys to verify a POST form with"));
  const signed = verifyPostForm(fields, ctx.keys);
  if (!signed.ok) return signed;
  const policy = parsePolicy(signed.value.policy);
  if (!policy.ok) return policy;
  // Conditions on `bucket` name the bucket addressed, whatever a field says.
  const checked = new Map(fields).set("bucket", ctx.req.bucket);
  const { identity, version } = signed.value;
  const at = locateKey(ctx, key);
  ctx.onFormSigned?.({ identity, key: at.ok ? at.value.key : key });
  if (!at.ok) return at;
  const refused = checkPolicy(policy.value, { fields: checked, version }, ctx.clock.now()) ??
    validateKey(at.value.key) ?? mayPut(ctx, identity, at.value, version);
  if (refused) return err(refused);
  const length = body.total - head.offset - closingDelimiter(body.boundary).length;
  if (length < 0) return err(malformedPost("Content-Length is shorter than the form"));
  const tooBig = checkLength(policy.value, length) ?? maxBody(ctx, length) ??
    metadataLimit(fields);
  if (tooBig) return err(tooBig);
  const headers = objectHeadersOf(fields);
  if (!headers.ok) return headers;
  return ok({
    identity,
    at: at.value,
    fields,
    headers: headers.value,
    length,
    boundary: body.boundary,
  });
}

/** The signer's s3:PutObject on the final key in its bucket, as PutObject is authorized. */
function mayPut(
  ctx: S3Context,
  identity: Identity,
  { bucket, key }: Located,
  version: 2 | 4,
): ProxyError | undefined {
  const signing = {
    signatureVersion: version === 4 ? "AWS4-HMAC-SHA256" : "AWS",
    authType: "POST",
  };
  return ctx.authorize({
    identity,
    bucket: bucket.config,
    operation: "PutObject",
    key,
    signing,
  });
}

function maxBody(ctx: S3Context, length: number): ProxyError | undefined {
  const max = ctx.config.maxBodyBytes;
  return length > max
    ? proxyError(
      "EntityTooLarge",
      `Your proposed upload exceeds the maximum allowed size of ${max} bytes`,
    )
    : undefined;
}

function metadataLimit(fields: ReadonlyMap<string, string>): ProxyError | undefined {
  return metadataBytes(fields) > MAX_USER_METADATA_BYTES
    ? proxyError(
      "MetadataTooLarge",
      `Your metadata headers exceed the maximum allowed metadata size of ${MAX_USER_METADATA_BYTES} bytes`,
    )
    : undefined;
}

/** Streams the file to the backend, length-framed, and answers as the form asks. */
async function store(
  ctx: S3Context,
  a: Admitted,
  rest: ReadableStream<Uint8Array>,
): Promise<Result<Response, ProxyError>> {
  const declared = readChecksumHeaders(a.headers);
  if (!declared.ok) {
    void rest.cancel().catch(() => {});
    return declared;
  }
  const { md5, checksums } = declared.value;
  let stream = rest.pipeThrough(fileData({ boundary: a.boundary, length: a.length }));
  if (md5 !== undefined || Object.keys(checksums).length > 0) {
    stream = stream.pipeThrough(
      checksumVerifier({ ...(md5 !== undefined ? { md5 } : {}), checksums }),
    );
  }
  const forward = forwardedHeaders(a.headers);
  const put = await a.at.bucket.backend.put(a.at.key, stream, {
    meta: metaFromHeaders(a.headers),
    checksums,
    contentLength: a.length,
    ...(forward ? { forward } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (!put.ok) return put;
  const client = ctx.client;
  const location = objectLocation(
    {
      scheme: client?.scheme ?? "http",
      host: client?.host ?? ctx.req.headers.get("host") ?? "localhost",
      virtualHosted: ctx.req.virtualHosted,
    },
    ctx.req.bucket,
    a.at.shown,
  );
  const answer = postAnswer(a.fields, {
    bucket: ctx.req.bucket,
    key: a.at.shown,
    etag: put.value.etag,
    location,
  });
  checksumHeaders(checksums).forEach((value, name) => answer.headers.set(name, value));
  return ok(answer);
}
