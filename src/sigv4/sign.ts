/**
 * Signing outbound requests with SigV4 (backend calls), from the same
 * canonical parts the verifier uses.
 */
import {
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  computeSignature,
  credentialScope,
} from "./canonical.ts";
import type { SigningKeyCache } from "./signing_key.ts";

/** Credentials that sign backend requests. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** A request to sign. */
export interface RequestToSign {
  readonly method: string;
  /** Path as it goes on the wire (already percent-encoded). */
  readonly path: string;
  /** Query as it goes on the wire, without `?`. */
  readonly query: string;
  /** Lower-case names; `host` must be present. */
  readonly headers: Record<string, string>;
  /** Hex SHA-256 of the body, or UNSIGNED-PAYLOAD. */
  readonly payloadHash: string;
}

/** `yyyymmddThhmmssZ`. */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** Returns the headers to send: the input plus x-amz-date, x-amz-content-sha256, the token and Authorization. */
export function signRequest(
  r: RequestToSign,
  creds: SigningCredentials,
  options: {
    readonly region: string;
    readonly service?: string;
    readonly now: number;
    readonly keys: SigningKeyCache;
  },
): Record<string, string> {
  const service = options.service ?? "s3";
  const date = amzDate(options.now);
  const headers: Record<string, string> = {
    ...r.headers,
    "x-amz-date": date,
    "x-amz-content-sha256": r.payloadHash,
    ...(creds.sessionToken ? { "x-amz-security-token": creds.sessionToken } : {}),
  };
  const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
  const canonical = canonicalRequest({
    method: r.method,
    uri: canonicalUri(r.path),
    query: canonicalQuery(r.query),
    headers: canonicalHeaders(names, (n) => headers[n] ?? null),
    signedHeaders: names.join(";"),
    payloadHash: r.payloadHash,
  });
  const day = date.slice(0, 8);
  const scope = credentialScope(day, options.region, service);
  const key = options.keys.get(creds.secretAccessKey, day, options.region, service);
  const signature = computeSignature(key, date, scope, canonical);
  headers["authorization"] = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, ` +
    `SignedHeaders=${names.join(";")}, Signature=${signature}`;
  return headers;
}
