/**
 * Presigned paths (SigV4 query auth, the AWS SDK's signer) so that a load
 * generator that cannot sign (wrk) still sends authenticated requests: each
 * path is signed once and stays valid for `expiresIn` seconds.
 */
import { testSigner } from "../tests/_support/signer.ts";

/** A key pair, with a session token for temporary credentials. */
export interface SigningKey {
  readonly id: string;
  readonly secret: string;
  readonly token?: string;
}

const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/** `/bucket/key?…&X-Amz-Signature=…` for a request to 127.0.0.1:port. */
export async function presignPath(
  key: SigningKey,
  port: number,
  method: string,
  path: string,
  query: Readonly<Record<string, string>> = {},
  expiresIn = 6 * 3600,
): Promise<string> {
  const signed = await testSigner(key).presign({
    method,
    protocol: "http:",
    hostname: "127.0.0.1",
    port,
    path,
    query: { ...query },
    headers: { host: `127.0.0.1:${port}`, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
  }, {
    expiresIn,
    // As @aws-sdk/s3-request-presigner does: sign UNSIGNED-PAYLOAD, keep it out of the URL.
    unhoistableHeaders: new Set(["x-amz-content-sha256"]),
    unsignableHeaders: new Set(["x-amz-content-sha256"]),
  });
  const qs = Object.entries(signed.query ?? {})
    .flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map((x) => `${rfc3986(k)}=${rfc3986(String(x))}`)
    )
    .join("&");
  return `${path}?${qs}`;
}
