/**
 * A request's condition keys (iam/keys.ts), built from what the pipeline
 * knows of it: the caller, the client's address and transport, the time, the
 * headers, the listing's parameters, how it was signed, and a session's
 * sealed OIDC claims. Pure: the facts come in, nothing is read here.
 */
import type { Identity } from "../auth/identity.ts";
import { type ContextKeys, UNRESOLVED, type Unresolved } from "../iam/keys.ts";

/** How the request was signed, as S3's condition keys name it. */
export interface SigningFacts {
  /** `AWS4-HMAC-SHA256` or `AWS` (SigV2). */
  readonly signatureVersion: string;
  /** `REST-HEADER`, `REST-QUERY-STRING` or `POST`. */
  readonly authType: string;
  /** Milliseconds since the signature's date (presigned URLs, headers). */
  readonly signatureAgeMs?: number;
}

/** A session's facts beside its Identity: its session name, when it was minted, its claims. */
export interface SessionFacts {
  readonly sessionName: string;
  /** When the token was minted (ms); absent for tokens minted before it was sealed: the epoch. */
  readonly issuedAt?: number;
  /** The OIDC claims sealed in the token; absent: every `jwt:` key is UNRESOLVED (fail closed). */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** What the pipeline knows of one request. */
export interface RequestFacts {
  readonly identity: Identity;
  /** The client's address after trusted proxies; absent when unknown. */
  readonly sourceIp?: string;
  readonly secureTransport: boolean;
  /** The request's time (ms since the epoch). */
  readonly now: number;
  readonly headers: Headers;
  /** The query, for a listing's `prefix`, `delimiter` and `max-keys`. */
  readonly query?: { get(name: string): string | null };
  /** Absent for an anonymous request. */
  readonly signing?: SigningFacts;
  /** A session's facts (Identity kind "session"). */
  readonly session?: SessionFacts;
}

const PRINCIPAL_TYPES = { anonymous: "Anonymous", access_key: "User", session: "AssumedRole" };

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The keys that do not depend on a claim. */
function fixedKeys(f: RequestFacts): Map<string, readonly string[]> {
  const keys = new Map<string, readonly string[]>();
  const set = (key: string, value: string | null | undefined) => {
    if (value !== null && value !== undefined) keys.set(key, [value]);
  };
  const id = f.identity;
  set("aws:sourceip", f.sourceIp);
  set("aws:securetransport", String(f.secureTransport));
  set("aws:currenttime", iso(f.now));
  set("aws:epochtime", String(Math.floor(f.now / 1000)));
  set("aws:useragent", f.headers.get("user-agent"));
  set("aws:referer", f.headers.get("referer"));
  set("aws:principaltype", PRINCIPAL_TYPES[id.kind]);
  if (id.kind === "access_key") {
    set("aws:username", id.principal);
    set("aws:userid", id.accessKeyId);
  }
  if (id.kind === "session") {
    set("aws:userid", `${id.roleId}:${f.session?.sessionName ?? ""}`);
    set("aws:tokenissuetime", iso(f.session?.issuedAt ?? 0));
  }
  for (const name of ["prefix", "delimiter", "max-keys"]) set(`s3:${name}`, f.query?.get(name));
  if (f.signing) {
    set("s3:signatureversion", f.signing.signatureVersion);
    set("s3:authtype", f.signing.authType);
    if (f.signing.signatureAgeMs !== undefined) {
      set("s3:signatureage", String(f.signing.signatureAgeMs));
    }
  }
  set("s3:x-amz-content-sha256", f.headers.get("x-amz-content-sha256"));
  return keys;
}

/** A claim as condition values: a string, or a list of strings (numbers and booleans as text). */
export function claimValues(value: unknown): readonly string[] | Unresolved | undefined {
  if (value === undefined || value === null) return undefined;
  const one = (v: unknown) =>
    typeof v === "string" || typeof v === "number" || typeof v === "boolean"
      ? String(v)
      : undefined;
  if (!Array.isArray(value)) {
    const s = one(value);
    return s === undefined ? UNRESOLVED : [s];
  }
  const all = value.map(one);
  return all.every((s) => s !== undefined) ? all as string[] : UNRESOLVED;
}

/** The request's condition keys. */
export function contextKeys(f: RequestFacts): ContextKeys {
  const keys = fixedKeys(f);
  const isSession = f.identity.kind === "session";
  const claims = f.session?.claims;
  return {
    get(key) {
      if (!key.startsWith("jwt:")) return keys.get(key);
      if (!isSession) return undefined;
      if (claims === undefined) return UNRESOLVED;
      const name = key.slice(4);
      return Object.hasOwn(claims, name) ? claimValues(claims[name]) : undefined;
    },
  };
}
