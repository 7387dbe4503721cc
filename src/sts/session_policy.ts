/**
 * An STS session policy (`AssumeRoleWithWebIdentity`'s `Policy`): JSON text of
 * at most 2,048 characters, as on AWS, compiled into a session policy that
 * narrows the session. The token seals the text; requests compile it through
 * a small cache, so a busy session compiles its policy once.
 */
import { type CompiledPolicy, compilePolicy } from "../iam/document.ts";
import { err, type Result } from "../result.ts";

/** AWS's bound on a session policy's plain text. */
export const MAX_SESSION_POLICY_CHARS = 2048;

/** Why a session policy was refused, with the STS error code to answer. */
export interface SessionPolicyError {
  readonly code: "ValidationError" | "MalformedPolicyDocument";
  readonly message: string;
}

/** Compiles a session policy's text; `bucketNames` (when given) must hold every literal bucket it names. */
export function parseSessionPolicy(
  text: string,
  bucketNames?: ReadonlySet<string>,
): Result<CompiledPolicy, SessionPolicyError> {
  if (text.length === 0 || text.length > MAX_SESSION_POLICY_CHARS) {
    return err({
      code: "ValidationError",
      message: `Policy must be 1 to ${MAX_SESSION_POLICY_CHARS} characters, not ${text.length}`,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return err({ code: "MalformedPolicyDocument", message: "Policy is not a JSON document" });
  }
  const compiled = compilePolicy(raw, {
    name: "session",
    kind: "session",
    ...(bucketNames ? { bucketNames } : {}),
  });
  if (compiled.ok) return compiled;
  const first = compiled.error[0]!;
  const where = first.path === "" ? "" : `${first.path}: `;
  return err({ code: "MalformedPolicyDocument", message: `Policy ${where}${first.message}` });
}

/** Compiles sealed session policies, remembering the last `limit` texts (oldest forgotten first). */
export function createSessionPolicyCache(
  limit = 256,
): (text: string) => Result<CompiledPolicy, SessionPolicyError> {
  const cache = new Map<string, Result<CompiledPolicy, SessionPolicyError>>();
  return (text) => {
    const hit = cache.get(text);
    if (hit) {
      cache.delete(text);
      cache.set(text, hit);
      return hit;
    }
    const compiled = parseSessionPolicy(text);
    cache.set(text, compiled);
    if (cache.size > limit) cache.delete(cache.keys().next().value!);
    return compiled;
  };
}
