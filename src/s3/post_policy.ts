/**
 * The policy document of a browser POST upload (base64 JSON with
 * `expiration` and `conditions`) and S3's checks of a form against it: not
 * expired; every condition met (exact match, `starts-with`, and the file's
 * `content-length-range`); every field the form sends covered by at least
 * one condition, except the fields S3 exempts.
 */
import { Buffer } from "node:buffer";
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";

/** A condition on a form field (names lower-case, without the `$`). */
export type FieldCondition = {
  readonly kind: "eq" | "starts-with";
  readonly field: string;
  readonly value: string;
  /** The condition as S3 quotes it in its refusal. */
  readonly text: string;
};

/** A parsed policy document. */
export interface PostPolicy {
  /** Milliseconds since the epoch. */
  readonly expiration: number;
  readonly conditions: readonly FieldCondition[];
  /** The file's size bounds (`content-length-range`), the tightest when several. */
  readonly lengthRange?: { readonly min: number; readonly max: number };
}

const invalid = (why: string) => proxyError("InvalidPolicyDocument", `Invalid Policy: ${why}`);

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** Decodes and parses a base64 policy document (InvalidPolicyDocument when it is not one). */
export function parsePolicy(base64: string): Result<PostPolicy, ProxyError> {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64.trim())) return err(invalid("Invalid Base64."));
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(base64.trim(), "base64").toString("utf8"));
  } catch {
    return err(invalid("Invalid JSON."));
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return err(invalid("Invalid JSON."));
  }
  const { expiration, conditions } = doc as Record<string, unknown>;
  if (expiration === undefined) return err(invalid("Policy missing expiration."));
  if (typeof expiration !== "string" || !ISO_8601.test(expiration)) {
    return err(invalid(`Invalid 'expiration' value: '${String(expiration)}'`));
  }
  if (!Array.isArray(conditions)) return err(invalid("Policy missing conditions."));
  const parsed = parseConditions(conditions);
  if (!parsed.ok) return parsed;
  return ok({ expiration: Date.parse(expiration), ...parsed.value });
}

function parseConditions(
  list: readonly unknown[],
): Result<Omit<PostPolicy, "expiration">, ProxyError> {
  const conditions: FieldCondition[] = [];
  let lengthRange: { min: number; max: number } | undefined;
  for (const c of list) {
    if (
      Array.isArray(c) && typeof c[0] === "string" && c[0].toLowerCase() === "content-length-range"
    ) {
      const range = parseRange(c);
      if (!range.ok) return range;
      lengthRange = lengthRange
        ? {
          min: Math.max(lengthRange.min, range.value.min),
          max: Math.min(lengthRange.max, range.value.max),
        }
        : range.value;
      continue;
    }
    const parsed = Array.isArray(c) ? parseArrayCondition(c) : parseObjectCondition(c);
    if (!parsed.ok) return parsed;
    conditions.push(...parsed.value);
  }
  return ok({ conditions, ...(lengthRange ? { lengthRange } : {}) });
}

/** `{"field": "value"}`: exact matches. */
function parseObjectCondition(c: unknown): Result<FieldCondition[], ProxyError> {
  if (typeof c !== "object" || c === null) {
    return err(invalid(`Invalid condition: ${JSON.stringify(c)}`));
  }
  const entries = Object.entries(c as Record<string, unknown>);
  if (entries.length === 0) return err(invalid("Invalid condition: {}"));
  const out: FieldCondition[] = [];
  for (const [name, value] of entries) {
    if (typeof value !== "string") {
      return err(invalid(`Condition value of '${name}' must be a string.`));
    }
    out.push({
      kind: "eq",
      field: name.toLowerCase(),
      value,
      text: `["eq", "$${name}", ${JSON.stringify(value)}]`,
    });
  }
  return ok(out);
}

/** `["eq" | "starts-with", "$field", "value"]`. */
function parseArrayCondition(c: readonly unknown[]): Result<FieldCondition[], ProxyError> {
  const [op, name, value] = c;
  const kind = typeof op === "string" ? op.toLowerCase() : "";
  if (
    c.length !== 3 || (kind !== "eq" && kind !== "starts-with") ||
    typeof name !== "string" || !name.startsWith("$") || name.length < 2 ||
    typeof value !== "string"
  ) {
    return err(invalid(`Invalid condition: ${JSON.stringify(c)}`));
  }
  return ok([{
    kind,
    field: name.slice(1).toLowerCase(),
    value,
    text: `[${JSON.stringify(op)}, ${JSON.stringify(name)}, ${JSON.stringify(value)}]`,
  }]);
}

/** `["content-length-range", min, max]`: two non-negative integers. */
function parseRange(c: readonly unknown[]): Result<{ min: number; max: number }, ProxyError> {
  const bound = (v: unknown) =>
    typeof v === "number" && Number.isSafeInteger(v) && v >= 0
      ? v
      : typeof v === "string" && /^\d{1,15}$/.test(v)
      ? Number(v)
      : undefined;
  const min = bound(c[1]);
  const max = bound(c[2]);
  if (c.length !== 3 || min === undefined || max === undefined) {
    return err(invalid(`Invalid content-length-range: ${JSON.stringify(c)}`));
  }
  return ok({ min, max });
}

/** Fields S3 never requires a condition for. */
export function exemptField(name: string, version: 2 | 4): boolean {
  return name === "policy" || name === "file" || name.startsWith("x-ignore-") ||
    // A checksum only narrows which bytes are accepted; RGW exempts it too.
    name.startsWith("x-amz-checksum-") ||
    (version === 4
      ? name === "x-amz-signature"
      : name === "signature" || name === "awsaccesskeyid");
}

const denied = (why: string) => proxyError("AccessDenied", `Invalid according to Policy: ${why}`);

/** A condition against a field's value (absent: the empty string). */
function holds(c: FieldCondition, value: string | undefined): boolean {
  const v = value ?? "";
  return c.kind === "eq" ? v === c.value : v.startsWith(c.value);
}

/**
 * Checks a form against its policy at `now`: expiry, then each condition,
 * then that every field is covered. `fields` are the form's, by lower-case
 * name, `${filename}` already expanded, with `bucket` the addressed bucket.
 */
export function checkPolicy(
  policy: PostPolicy,
  form: { readonly fields: ReadonlyMap<string, string>; readonly version: 2 | 4 },
  now: number,
): ProxyError | undefined {
  if (policy.expiration < now) return denied("Policy expired.");
  for (const c of policy.conditions) {
    if (!holds(c, form.fields.get(c.field))) return denied(`Policy Condition failed: ${c.text}`);
  }
  const covered = new Set(policy.conditions.map((c) => c.field));
  const extra = [...form.fields.keys()].filter((n) =>
    !covered.has(n) && !exemptField(n, form.version)
  );
  return extra.length > 0 ? denied(`Extra input fields: ${extra.join(", ")}`) : undefined;
}

/** EntityTooSmall or EntityTooLarge when the file's size is outside the policy's range. */
export function checkLength(policy: PostPolicy, size: number): ProxyError | undefined {
  const range = policy.lengthRange;
  if (!range) return undefined;
  if (size < range.min) {
    return proxyError(
      "EntityTooSmall",
      `Your proposed upload is smaller than the minimum allowed size (${range.min} bytes)`,
    );
  }
  if (size > range.max) {
    return proxyError(
      "EntityTooLarge",
      `Your proposed upload exceeds the maximum allowed size (${range.max} bytes)`,
    );
  }
  return undefined;
}
