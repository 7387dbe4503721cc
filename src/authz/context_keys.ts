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
  readonly sourceIp?: string | undefined;
  readonly secureTransport: boolean;
  /** The request's time (ms since the epoch). */
  readonly now: number;
  readonly headers: Headers;
  /** The query, for a listing's `prefix`, `delimiter` and `max-keys`. */
  readonly query?: { get(name: string): string | null } | undefined;
  /** Absent for an anonymous request (may be a getter: read only when a condition asks). */
  readonly signing?: SigningFacts | undefined;
  /** A session's facts (Identity kind "session"). */
  readonly session?: SessionFacts | undefined;
}

const PRINCIPAL_TYPES = { anonymous: "Anonymous", access_key: "User", session: "AssumedRole" };

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A value as a key's values: absent stays absent. */
function one(value: string | null | undefined): readonly string[] | undefined {
  return value === null || value === undefined ? undefined : [value];
}

/** A key that does not depend on a claim (canonical, lower case), computed when a condition asks. */
function fixedKey(f: RequestFacts, key: string): readonly string[] | undefined {
  const id = f.identity;
  switch (key) {
    case "aws:sourceip":
      return one(f.sourceIp);
    case "aws:securetransport":
      return [String(f.secureTransport)];
    case "aws:currenttime":
      return [iso(f.now)];
    case "aws:epochtime":
      return [String(Math.floor(f.now / 1000))];
    case "aws:useragent":
      return one(f.headers.get("user-agent"));
    case "aws:referer":
      return one(f.headers.get("referer"));
    case "aws:principaltype":
      return [PRINCIPAL_TYPES[id.kind]];
    case "aws:username":
      return id.kind === "access_key" ? [id.principal] : undefined;
    case "aws:userid":
      if (id.kind === "access_key") return [id.accessKeyId];
      return id.kind === "session" ? [`${id.roleId}:${f.session?.sessionName ?? ""}`] : undefined;
    case "aws:tokenissuetime":
      return id.kind === "session" ? [iso(f.session?.issuedAt ?? 0)] : undefined;
    case "s3:prefix":
    case "s3:delimiter":
    case "s3:max-keys":
      return one(f.query?.get(key.slice(3)));
    case "s3:signatureversion":
      return one(f.signing?.signatureVersion);
    case "s3:authtype":
      return one(f.signing?.authType);
    case "s3:signatureage": {
      const age = f.signing?.signatureAgeMs;
      return age === undefined ? undefined : [String(age)];
    }
    case "s3:x-amz-content-sha256":
      return one(f.headers.get("x-amz-content-sha256"));
    default:
      return undefined;
  }
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

/** The request's condition keys, each computed once when a condition first asks for it. */
export function contextKeys(f: RequestFacts): ContextKeys {
  return new FactKeys(f);
}

/** `contextKeys`' keys: one object per request, its memo made when a first key is asked. */
class FactKeys implements ContextKeys {
  readonly #f: RequestFacts;
  #known: Map<string, readonly string[] | undefined> | undefined;

  constructor(f: RequestFacts) {
    this.#f = f;
  }

  get(key: string): readonly string[] | Unresolved | undefined {
    const f = this.#f;
    if (!key.startsWith("jwt:")) {
      const known = this.#known ??= new Map();
      if (known.has(key)) return known.get(key);
      const values = fixedKey(f, key);
      known.set(key, values);
      return values;
    }
    if (f.identity.kind !== "session") return undefined;
    const claims = f.session?.claims;
    if (claims === undefined) return UNRESOLVED;
    const name = key.slice(4);
    return Object.hasOwn(claims, name) ? claimValues(claims[name]) : undefined;
  }
}
