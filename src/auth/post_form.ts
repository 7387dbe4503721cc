/**
 * Who signed a browser POST form: the form carries a base64 policy document
 * and its signature, made with SigV4 (`x-amz-algorithm`, `x-amz-credential`,
 * `x-amz-date`, `x-amz-signature`: the hex HMAC-SHA256 of the base64 policy
 * under the credential scope's signing key) or SigV2 (`AWSAccessKeyId`,
 * `signature`: the base64 HMAC-SHA1 of the base64 policy under the secret).
 * Session credentials add `x-amz-security-token`. What the policy allows is
 * checked elsewhere (s3/post_policy.ts); this only proves who wrote it.
 */
import { createHmac } from "node:crypto";
import { constantTimeEqual } from "../bytes.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import { hmacHexMatches, type SigningKeyCache } from "../sigv4/signing_key.ts";
import { lookupSecret, type SecretLookup } from "./authenticate.ts";
import type { Identity } from "./identity.ts";
import { ALGORITHM, AMZ_DATE, parseCredential, wrongRegion } from "./sigv4_claims.ts";

/** The form's fields by lower-case name (repeated fields joined with commas). */
export type FormFields = ReadonlyMap<string, string>;

/** What verifying a form's signature needs. */
export interface PostFormKeys extends SecretLookup {
  readonly signingKeys: SigningKeyCache;
  /** The region the credential scope must name (config `region:`); absent = any (`region: "*"`). */
  readonly region?: string;
}

/** A form whose policy signature holds. */
export interface SignedForm {
  readonly identity: Identity;
  /** The base64 policy document the signature covers. */
  readonly policy: string;
  /** Which signature it was (V2 forms also leave `AWSAccessKeyId` out of the policy). */
  readonly version: 2 | 4;
}

/** S3's 400 for a required form field that is missing. */
export function missingField(name: string): ProxyError {
  return proxyError(
    "InvalidArgument",
    `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
  );
}

const MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your key and signing method.";

/**
 * Verifies the form's signature and returns the signer. A form with neither
 * signature is anonymous, which bucketgate refuses (no bucket policy can
 * allow it yet).
 */
export function verifyPostForm(
  fields: FormFields,
  keys: PostFormKeys,
): Result<SignedForm, ProxyError> {
  const v4 = ["x-amz-algorithm", "x-amz-credential", "x-amz-signature"].some((n) => fields.has(n));
  const v2 = fields.has("awsaccesskeyid") || fields.has("signature");
  if (!v4 && !v2) {
    return err(proxyError(
      "AccessDenied",
      "Anonymous POST uploads are not allowed: sign the form's policy (x-amz-signature or signature)",
    ));
  }
  const policy = fields.get("policy");
  if (policy === undefined) return err(missingField("policy"));
  return v4 ? verifyV4(fields, policy, keys) : verifyV2(fields, policy, keys);
}

function required(fields: FormFields, name: string): Result<string, ProxyError> {
  const value = fields.get(name);
  return value === undefined ? err(missingField(name)) : ok(value);
}

/** The signer's secret and identity: a session's when the form carries its token. */
function signerOf(
  fields: FormFields,
  accessKeyId: string,
  keys: PostFormKeys,
): Result<{ secret: string; identity: Identity }, ProxyError> {
  const token = fields.get("x-amz-security-token");
  return lookupSecret(
    { accessKeyId, ...(token !== undefined ? { sessionToken: token } : {}) },
    keys,
  );
}

function verifyV4(
  fields: FormFields,
  policy: string,
  keys: PostFormKeys,
): Result<SignedForm, ProxyError> {
  const algorithm = required(fields, "x-amz-algorithm");
  if (!algorithm.ok) return algorithm;
  if (algorithm.value !== ALGORITHM) {
    return err(proxyError("InvalidArgument", `x-amz-algorithm only supports "${ALGORITHM}"`));
  }
  const credential = required(fields, "x-amz-credential");
  if (!credential.ok) return credential;
  const scope = parseCredential(credential.value, (m) => proxyError("InvalidArgument", m));
  if (!scope.ok) return scope;
  const elsewhere = wrongRegion(scope.value.region, keys.region, false);
  if (elsewhere) return err(elsewhere);
  const date = required(fields, "x-amz-date");
  if (!date.ok) return date;
  if (AMZ_DATE.exec(date.value)?.[1] !== scope.value.date) {
    return err(proxyError(
      "InvalidArgument",
      "x-amz-date must be yyyyMMddTHHmmssZ of the day in x-amz-credential",
    ));
  }
  const signature = required(fields, "x-amz-signature");
  if (!signature.ok) return signature;
  const who = signerOf(fields, scope.value.accessKeyId, keys);
  if (!who.ok) return who;
  const { date: day, region, service } = scope.value;
  const key = keys.signingKeys.get(who.value.secret, day, region, service);
  if (!hmacHexMatches(key, policy, signature.value)) {
    return err(proxyError("SignatureDoesNotMatch", MISMATCH));
  }
  return ok({ identity: who.value.identity, policy, version: 4 });
}

function verifyV2(
  fields: FormFields,
  policy: string,
  keys: PostFormKeys,
): Result<SignedForm, ProxyError> {
  const accessKeyId = required(fields, "awsaccesskeyid");
  if (!accessKeyId.ok) return accessKeyId;
  const signature = required(fields, "signature");
  if (!signature.ok) return signature;
  const who = signerOf(fields, accessKeyId.value, keys);
  if (!who.ok) return who;
  const expected = createHmac("sha1", who.value.secret).update(policy, "utf8").digest("base64");
  if (!constantTimeEqual(expected, signature.value)) {
    return err(proxyError("SignatureDoesNotMatch", MISMATCH));
  }
  return ok({ identity: who.value.identity, policy, version: 2 });
}
