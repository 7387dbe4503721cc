/** An s3 bucket's backend_options: the keys it may hold, parsed into S3Options or its problems. */
import { err, ok, type Result } from "../../result.ts";
import { isHttpUrl } from "../url.ts";
import {
  OIDC_OPTION_KEYS,
  type OidcBackendAuth,
  oidcBackendAuth,
  oidcOptionProblems,
} from "./oidc.ts";
import { type OptionProblem, requestTimeoutMs, unknownKeyProblems } from "./problems.ts";

/** An s3 bucket's static keys (the shape of sigv4's SigningCredentials, which config does not import). */
export interface S3StaticKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Validated options of an s3 bucket. */
export interface S3Options {
  readonly endpoint: string;
  readonly bucketName: string;
  readonly region: string;
  /** Static keys; absent with `skip_signature` or `auth_type: oidc`. */
  readonly credentials?: S3StaticKeys;
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

/** An s3 bucket's backend_options as S3Options, or every problem (paths relative to them). */
export function parseS3Options(
  o: Readonly<Record<string, unknown>>,
): Result<S3Options, OptionProblem[]> {
  const problems = s3OptionProblems(o);
  return problems.length > 0 ? err(problems) : ok(s3Options(o));
}

function s3OptionProblems(o: Readonly<Record<string, unknown>>): OptionProblem[] {
  const p = unknownKeyProblems(o, S3_OPTION_KEYS, "unknown option for the s3 backend");
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

function s3Options(o: Readonly<Record<string, unknown>>): S3Options {
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
    requestTimeoutMs: requestTimeoutMs(o),
  };
}
