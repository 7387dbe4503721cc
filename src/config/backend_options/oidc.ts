/** The `auth_type: oidc` options of an s3 bucket: their checks and their defaults. */
import { isHttpUrl } from "../url.ts";
import type { OptionProblem } from "./problems.ts";

/** What a bucket's `auth_type: oidc` options say. */
export interface OidcBackendAuth {
  readonly roleArn: string;
  /** `sub` of the minted token. @default "bucketgate" */
  readonly subject: string;
  /** `aud` of the minted token. @default "sts.amazonaws.com" */
  readonly audience: string;
  readonly stsEndpoint: string;
  /** DurationSeconds asked of STS. */
  readonly durationSecs: number;
}

/** backend_options keys that belong to `auth_type: oidc`. */
export const OIDC_OPTION_KEYS = [
  "auth_type",
  "oidc_role_arn",
  "oidc_subject",
  "oidc_audience",
  "sts_endpoint",
  "oidc_session_duration_secs",
] as const;

/** Keys that name static credentials, which `auth_type: oidc` replaces. */
const STATIC_KEYS = ["access_key_id", "secret_access_key", "session_token", "skip_signature"];

/** STS bounds on DurationSeconds (a role's maximum may be lower; STS then refuses). */
const DURATION = { min: 900, max: 43_200, default: 3_600 } as const;

const ROLE_ARN = /^arn:[a-z-]+:iam::[0-9]*:role\/[\w+=,.@/-]+$/;

/** Problems of an s3 bucket's backend_options that set `auth_type` (paths relative to them). */
export function oidcOptionProblems(o: Readonly<Record<string, unknown>>): OptionProblem[] {
  if (o.auth_type !== "oidc") {
    return [{ path: "auth_type", message: 'must be "oidc" (leave it out to use access keys)' }];
  }
  const p: OptionProblem[] = [];
  for (const k of STATIC_KEYS) {
    if (o[k] !== undefined) p.push({ path: k, message: "not used with auth_type: oidc" });
  }
  if (typeof o.oidc_role_arn !== "string" || !ROLE_ARN.test(o.oidc_role_arn)) {
    p.push({
      path: "oidc_role_arn",
      message: "required with auth_type: oidc: a role ARN (arn:aws:iam::<account>:role/<name>)",
    });
  }
  for (const k of ["oidc_subject", "oidc_audience"]) {
    if (o[k] !== undefined && (typeof o[k] !== "string" || o[k] === "")) {
      p.push({ path: k, message: "must be a non-empty string" });
    }
  }
  if (o.sts_endpoint !== undefined && !isHttpUrl(o.sts_endpoint)) {
    p.push({ path: "sts_endpoint", message: "must be an http(s) URL" });
  }
  const d = o.oidc_session_duration_secs;
  if (
    d !== undefined &&
    (typeof d !== "number" || !Number.isInteger(d) || d < DURATION.min || d > DURATION.max)
  ) {
    p.push({
      path: "oidc_session_duration_secs",
      message: `must be a whole number from ${DURATION.min} to ${DURATION.max}`,
    });
  }
  return p;
}

/** The options with their defaults, once `oidcOptionProblems` found none. */
export function oidcBackendAuth(
  o: Readonly<Record<string, unknown>>,
  region: string,
): OidcBackendAuth {
  const text = (v: unknown, fallback: string) => (typeof v === "string" ? v : fallback);
  return {
    roleArn: String(o.oidc_role_arn),
    subject: text(o.oidc_subject, "bucketgate"),
    audience: text(o.oidc_audience, "sts.amazonaws.com"),
    stsEndpoint: text(o.sts_endpoint, `https://sts.${region}.amazonaws.com`).replace(/\/+$/, ""),
    durationSecs: typeof o.oidc_session_duration_secs === "number"
      ? o.oidc_session_duration_secs
      : DURATION.default,
  };
}
