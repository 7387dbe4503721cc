/** An independent SigV4 signer for tests and benches (the AWS SDK's, not ours). */
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";

/** A smithy SignatureV4 for S3 in us-east-1 with the given key. */
export function testSigner(
  key: { readonly id: string; readonly secret: string; readonly token?: string },
  applyChecksum = true,
): SignatureV4 {
  return new SignatureV4({
    credentials: {
      accessKeyId: key.id,
      secretAccessKey: key.secret,
      ...(key.token !== undefined ? { sessionToken: key.token } : {}),
    },
    region: "us-east-1",
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum,
  });
}

const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/** Options of `presignQuery`. */
export interface PresignOptions {
  /** @default "GET" */
  readonly method?: string;
  /** Query parameters the URL carries besides the signature's. */
  readonly query?: Readonly<Record<string, string>>;
  /** @default 3600 */
  readonly expiresIn?: number;
  /** @default now */
  readonly signedAt?: number;
}

/**
 * The query string (`X-Amz-Algorithm=…&X-Amz-Signature=…`, RFC 3986-encoded)
 * of a presigned URL for `url`, signed as @aws-sdk/s3-request-presigner does:
 * UNSIGNED-PAYLOAD signed, and kept out of the URL.
 */
export async function presignQuery(
  key: { readonly id: string; readonly secret: string; readonly token?: string },
  url: string,
  options: PresignOptions = {},
): Promise<string> {
  const u = new URL(url);
  const signed = await testSigner(key).presign({
    method: options.method ?? "GET",
    protocol: u.protocol,
    hostname: u.hostname,
    ...(u.port ? { port: Number(u.port) } : {}),
    path: u.pathname,
    query: { ...options.query },
    headers: { host: u.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
  }, {
    expiresIn: options.expiresIn ?? 3600,
    ...(options.signedAt !== undefined ? { signingDate: new Date(options.signedAt) } : {}),
    unhoistableHeaders: new Set(["x-amz-content-sha256"]),
    unsignableHeaders: new Set(["x-amz-content-sha256"]),
  });
  return Object.entries(signed.query ?? {})
    .flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map((x) => `${rfc3986(k)}=${rfc3986(String(x))}`)
    )
    .join("&");
}
