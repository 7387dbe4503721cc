/** The s3 backend's options: which keys backend_options may hold, their problems, and the validated form. */
import type { SigningCredentials } from "../../sigv4/sign.ts";
import { isHttpUrl } from "../../url.ts";
import type { OidcBackendAuth } from "../../oidc/backend_auth.ts";
import { OIDC_OPTION_KEYS, oidcBackendAuth, oidcOptionProblems } from "../../oidc/options.ts";

/** Validated options of an s3 bucket. */
export interface S3Options {
  readonly endpoint: string;
  readonly bucketName: string;
  readonly region: string;
  /** Static keys; absent with `skip_signature` or `auth_type: oidc`. */
  readonly credentials?: SigningCredentials;
  /** `auth_type: oidc`: credentials come from an STS exchange. */
  readonly oidc?: OidcBackendAuth;
  readonly forcePathStyle: boolean;
  readonly requestTimeoutMs: number;
}

/** The keys an s3 bucket's backend_options may hold. */
export const S3_OPTION_KEYS = [
  "endpoint",
  "bucket_name",
  "region",
  "access_key_id",
  "secret_access_key",
  "session_token",
  "skip_signature",
  "force_path_style",
  "request_timeout_secs",
  ...OIDC_OPTION_KEYS,
] as const;

/** Problems in s3 backend_options (paths relative to them). */
export function s3OptionProblems(o: Record<string, unknown>): { path: string; message: string }[] {
  const p: { path: string; message: string }[] = [];
  for (const k of Object.keys(o)) {
    if (!(S3_OPTION_KEYS as readonly string[]).includes(k)) {
      p.push({ path: k, message: "unknown option for the s3 backend" });
    }
  }
  if (typeof o.bucket_name !== "string" || o.bucket_name === "") {
    p.push({ path: "bucket_name", message: "required" });
  }
  if (o.region !== undefined && typeof o.region !== "string") {
    p.push({ path: "region", message: "must be a string" });
  }
  if (o.endpoint === undefined && typeof o.region !== "string") {
    p.push({ path: "region", message: "required when no endpoint is given" });
  }
  if (o.endpoint !== undefined && !isHttpUrl(o.endpoint)) {
    p.push({ path: "endpoint", message: "must be an http(s) URL" });
  }
  if (o.auth_type !== undefined) return [...p, ...oidcOptionProblems(o)];
  for (const k of OIDC_OPTION_KEYS) {
    if (o[k] !== undefined) p.push({ path: k, message: "only with auth_type: oidc" });
  }
  const skip = o.skip_signature === true;
  if (!skip && (typeof o.access_key_id !== "string" || typeof o.secret_access_key !== "string")) {
    p.push({
      path: "access_key_id",
      message:
        "access_key_id and secret_access_key are required unless skip_signature: true or auth_type: oidc",
    });
  }
  return p;
}

/** Builds validated options from backend_options (call s3OptionProblems first). */
export function s3Options(o: Record<string, unknown>): S3Options {
  const region = typeof o.region === "string" ? o.region : "us-east-1";
  const endpoint = typeof o.endpoint === "string"
    ? o.endpoint.replace(/\/+$/, "")
    : `https://s3.${region}.amazonaws.com`;
  const oidc = o.auth_type === "oidc" ? oidcBackendAuth(o, region) : undefined;
  const creds = o.skip_signature === true || oidc ? undefined : {
    accessKeyId: String(o.access_key_id),
    secretAccessKey: String(o.secret_access_key),
    ...(typeof o.session_token === "string" ? { sessionToken: o.session_token } : {}),
  };
  return {
    endpoint,
    bucketName: String(o.bucket_name),
    region,
    ...(creds ? { credentials: creds } : {}),
    ...(oidc ? { oidc } : {}),
    forcePathStyle: typeof o.force_path_style === "boolean"
      ? o.force_path_style
      : typeof o.endpoint === "string",
    requestTimeoutMs: (typeof o.request_timeout_secs === "number" ? o.request_timeout_secs : 60) *
      1000,
  };
}
