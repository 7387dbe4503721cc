/**
 * What policies may expose, without a request: which buckets ListBuckets
 * shows a caller (those where some Allow statement that names the caller may
 * allow something on the bucket or its objects), and which statements let
 * anonymous callers write (for `--check-config`'s warning). Conditions are not
 * decided (they depend on each request), so this answers "may", never "will";
 * a Deny does not hide a bucket.
 */
import type { OperationName } from "./actions.ts";
import type { CompiledPolicy, CompiledStatement } from "./document.ts";
import { type Caller, principalMatch } from "./principals.ts";
import type { ResourceMatcher } from "./resources.ts";
import { matchTokens, ONE, STAR, type Token } from "./wildcard.ts";

/** Whether some string starting with `text` matches the tokens (a variable may be anything). */
export function mayMatchUnder(tokens: readonly Token[], text: string, t = 0, pos = 0): boolean {
  if (pos === text.length) return true;
  if (t === tokens.length) return false;
  const token = tokens[t]!;
  if (token === STAR || typeof token === "object") {
    return mayMatchUnder(tokens, text, t + 1, pos) || mayMatchUnder(tokens, text, t, pos + 1);
  }
  if (token === ONE) return mayMatchUnder(tokens, text, t + 1, pos + 1);
  const rest = text.length - pos;
  if (rest <= token.length) return token.startsWith(text.slice(pos));
  return text.startsWith(token, pos) && mayMatchUnder(tokens, text, t + 1, pos + token.length);
}

function mayCover(m: ResourceMatcher, bucket: string): boolean {
  if (m.kind === "scope") return m.bucket === undefined || m.bucket === bucket;
  const tokens = m.pattern.tokens;
  if (!m.pattern.hasVariables && matchTokens(tokens, bucket)) return true;
  return mayMatchUnder(tokens, `${bucket}/`) ||
    (m.pattern.hasVariables && mayMatchUnder(tokens, bucket));
}

function mayAllow(s: CompiledStatement, caller: Caller, bucket: string): boolean {
  if (s.effect !== "Allow") return false;
  if (s.principals && principalMatch(s.principals, caller) === undefined) return false;
  if (s.resources.negated) return true;
  return s.resources.matchers.some((m) => mayCover(m, bucket));
}

/** Whether any of the policies may allow `caller` something on `bucket`. */
export function mayAccessBucket(
  policies: readonly (CompiledPolicy | undefined)[],
  caller: Caller,
  bucket: string,
): boolean {
  return policies.some((p) => p?.statements.some((s) => mayAllow(s, caller, bucket)) ?? false);
}

/** The operations that change what a bucket holds. */
export const WRITE_OPERATIONS: readonly OperationName[] = [
  "CreateBucket",
  "DeleteBucket",
  "PutObject",
  "PostObject",
  "CopyObject",
  "DeleteObject",
  "DeleteObjects",
  "CreateMultipartUpload",
  "UploadPart",
  "UploadPartCopy",
  "CompleteMultipartUpload",
  "AbortMultipartUpload",
];

/** The Allow statements of a bucket policy that may let anonymous callers write. */
export function anonymousWrites(policy: CompiledPolicy): CompiledStatement[] {
  return policy.statements.filter((s) =>
    s.effect === "Allow" && s.principals !== undefined &&
    principalMatch(s.principals, { kind: "anonymous" }) !== undefined &&
    WRITE_OPERATIONS.some((op) => s.operations.has(op))
  );
}
