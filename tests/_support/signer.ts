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
