/**
 * Presigned paths (SigV4 query auth, the AWS SDK's signer) so that a load
 * generator that cannot sign (wrk) still sends authenticated requests: each
 * path is signed once and stays valid for `expiresIn` seconds.
 */
import { presignQuery } from "../tests/_support/signer.ts";

/** A key pair, with a session token for temporary credentials. */
export interface SigningKey {
  readonly id: string;
  readonly secret: string;
  readonly token?: string;
}

/** `/bucket/key?…&X-Amz-Signature=…` for a request to 127.0.0.1:port. */
export async function presignPath(
  key: SigningKey,
  port: number,
  method: string,
  path: string,
  query: Readonly<Record<string, string>> = {},
  expiresIn = 6 * 3600,
): Promise<string> {
  const qs = await presignQuery(key, `http://127.0.0.1:${port}${path}`, {
    method,
    query,
    expiresIn,
  });
  return `${path}?${qs}`;
}
