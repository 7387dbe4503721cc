/**
 * SDK-shaped requests for wrk (bench/_wrk.ts): the headers boto3 and the AWS
 * JS SDK send on a GetObject, rather than wrk's lone `Host`, so the bench pays
 * what walking a real client's headers costs. Three shapes:
 *
 * - `presigned`: a presigned URL fetched by an HTTP client (SigV4 in the query);
 * - `signed`: SigV4 in the `Authorization` header, as boto3 signs a GET
 *   (the SDK's signer; valid for 15 minutes, so each turn signs afresh);
 * - `anonymous`: no auth at all.
 *
 * Every shape carries the SDK's own headers: `User-Agent`,
 * `amz-sdk-invocation-id`, `amz-sdk-request`, `Accept-Encoding`,
 * `x-amz-checksum-mode` (with `Host`, wrk's own, that makes 6; a signed
 * request adds `x-amz-content-sha256`, `x-amz-date` and `Authorization`: 9;
 * a presigned one drops `x-amz-checksum-mode`, which it would have to sign: 5).
 */
import { presignPath, type SigningKey } from "./_presign.ts";
import { testSigner } from "../tests/_support/signer.ts";
import type { WrkRequest } from "./_wrk.ts";

/** The shapes the bench drives. */
export type SdkShape = "presigned" | "signed" | "anonymous";

/** SHA-256 of the empty body: what boto3 sends as `x-amz-content-sha256` on a GET. */
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** The SDK's headers that are not auth (a boto3 GetObject's, as of botocore 1.35). */
export function sdkHeaders(): Record<string, string> {
  return {
    "user-agent": "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.1.0 md/arch#x86_64 " +
      "lang/python#3.11.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.0",
    "amz-sdk-invocation-id": crypto.randomUUID(),
    "amz-sdk-request": "attempt=1",
    "accept-encoding": "identity",
    "x-amz-checksum-mode": "ENABLED",
  };
}

/** A GET of `path` on 127.0.0.1:port in the given shape, ready for wrk. */
export async function sdkGet(
  shape: SdkShape,
  key: SigningKey,
  port: number,
  path: string,
): Promise<WrkRequest> {
  if (shape === "anonymous") return { method: "GET", path, headers: sdkHeaders() };
  if (shape === "presigned") {
    // An x-amz-* header must be signed: a presigned URL's client sends none.
    const { "x-amz-checksum-mode": _, ...headers } = sdkHeaders();
    return { method: "GET", path: await presignPath(key, port, "GET", path), headers };
  }
  const signed = await testSigner(key, false).sign({
    method: "GET",
    protocol: "http:",
    hostname: "127.0.0.1",
    port,
    path,
    query: {},
    headers: {
      host: `127.0.0.1:${port}`,
      "x-amz-content-sha256": EMPTY_SHA256,
      ...sdkHeaders(),
    },
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (k !== "host") headers[k] = v;
  return { method: "GET", path, headers };
}
