/**
 * Bucket-level operations: ListBuckets, HeadBucket, GetBucketLocation,
 * GetBucketVersioning, CreateBucket, DeleteBucket.
 */
import type { Identity } from "../../auth/identity.ts";
import type { Authorizer } from "../../authz/authorizer.ts";
import type { BucketConfig, Config } from "../../config/types.ts";
import { type ProxyError, proxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type { S3Context } from "../context.ts";
import { isoTime } from "../params.ts";
import { emptyResponse, xmlResponse } from "../response.ts";
import { el, S3_XMLNS, XML_DECLARATION, xmlEscape } from "../../xml.ts";

// Buckets come from the config; report one fixed creation time.
const CREATION_DATE = new Date(Date.UTC(2020, 0, 1));

/**
 * ListBuckets: only the buckets where some statement may allow the caller
 * something, each by `shownAs` its name (a path-mapped namespace shows display
 * buckets, each once).
 */
export function listBuckets(
  config: Config,
  identity: Identity,
  authorizer: Authorizer,
  shownAs?: (name: string) => string,
): Response {
  const visible = config.buckets.filter((b: BucketConfig) => authorizer.sees(identity, b));
  const names = visible.map((b) => shownAs ? shownAs(b.name) : b.name);
  const shown = shownAs ? [...new Set(names)].sort() : names;
  const buckets = shown.map((name) =>
    `<Bucket>${el("Name", name)}${el("CreationDate", isoTime(CREATION_DATE))}</Bucket>`
  ).join("");
  return xmlResponse(
    XML_DECLARATION + `<ListAllMyBucketsResult xmlns="${S3_XMLNS}"><Owner>` +
      el("ID", config.ownerId) + el("DisplayName", config.ownerDisplayName) +
      `</Owner><Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`,
  );
}

/** HeadBucket: 200 with the bucket's region. */
export function headBucket(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  return Promise.resolve(ok(emptyResponse(200, { "x-amz-bucket-region": ctx.config.region })));
}

/** GetBucketLocation: the configured region (empty for us-east-1, as S3 does). */
export function getBucketLocation(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  const region = ctx.config.region === "us-east-1" ? "" : ctx.config.region;
  return Promise.resolve(ok(xmlResponse(
    XML_DECLARATION +
      `<LocationConstraint xmlns="${S3_XMLNS}">${
        region ? xmlEscape(region) : ""
      }</LocationConstraint>`,
  )));
}

/** GetBucketVersioning: versioning is never enabled on a virtual bucket. */
export function getBucketVersioning(_ctx: S3Context): Promise<Result<Response, ProxyError>> {
  return Promise.resolve(ok(xmlResponse(
    XML_DECLARATION + `<VersioningConfiguration xmlns="${S3_XMLNS}"/>`,
  )));
}

/**
 * CreateBucket on a configured bucket succeeds as it does in us-east-1 for the
 * owner (clients such as rclone create before they copy); new buckets are
 * refused by the router's bucket lookup.
 */
export async function createBucket(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  await ctx.body?.cancel();
  return ok(emptyResponse(200, { location: "/" + ctx.req.bucket }));
}

/**
 * DeleteBucket: a configured bucket is never deleted (the config makes it), so
 * the caller with the rights to empty it (`delete_object` on the whole bucket)
 * gets 501; an unknown bucket is 404 NoSuchBucket by the router's bucket lookup,
 * as S3 answers it.
 */
export async function deleteBucket(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  await ctx.body?.cancel();
  return err(proxyError(
    "NotImplemented",
    "DeleteBucket is not implemented by bucketgate: buckets come from the configuration",
  ));
}
