/** Who is calling, as authentication establishes it. */
import type { Scope } from "../config/types.ts";
import type { CompiledPolicy } from "../iam/document.ts";

/**
 * How the caller authenticated, as the access log names it: an S3 request's
 * `Identity` kind, or `web_identity` for an STS call that presented a web
 * identity token.
 */
export type AuthMode = Identity["kind"] | "web_identity";

/** The authenticated caller. */
export type Identity =
  | { readonly kind: "anonymous" }
  | {
    readonly kind: "access_key";
    readonly accessKeyId: string;
    readonly principal: string;
    readonly scopes: readonly Scope[];
  }
  | {
    readonly kind: "session";
    readonly accessKeyId: string;
    readonly principal: string;
    readonly roleId: string;
    readonly scopes: readonly Scope[];
    readonly expiresAt: number;
    /** The web identity token's `sub`, for the access log (absent only in hand-built identities). */
    readonly subject?: string;
    /** The RoleSessionName (the caller's pick, or one derived from `sub`): `aws:userid` is `<roleId>:<sessionName>`. */
    readonly sessionName?: string;
    /**
     * When the token was minted (ms since the epoch), `aws:TokenIssueTime`.
     * Tokens of the old version (before it was sealed) open with 0, the epoch,
     * so the revocation recipe (Deny on `DateLessThan aws:TokenIssueTime`) covers them.
     */
    readonly issuedAt?: number;
    /**
     * The OIDC claims sealed in the token (`sub`, `aud`, `iss` and the other
     * claims whose values are strings, numbers, booleans or lists of them, within
     * a size bound), for `jwt:*` keys and `${jwt:…}` variables. Absent for tokens
     * of the old version: every `jwt:` key is then unresolved (fail closed).
     */
    readonly claims?: Readonly<Record<string, unknown>>;
    /**
     * The session policy the token sealed (STS `Policy`), compiled when the token
     * is opened (auth/session_token.ts, through sts/session_policy.ts's cache).
     * Absent: no session policy.
     */
    readonly sessionPolicy?: CompiledPolicy;
  };

/** The anonymous caller. */
export const ANONYMOUS: Identity = { kind: "anonymous" };

/** What authentication hands on: the caller and the request body to use instead of `req.body`. */
export interface Authenticated {
  readonly identity: Identity;
  /**
   * The payload to store: `req.body` untouched when nothing needs checking
   * (so it keeps its length), else a stream that verifies the payload hash or
   * decodes aws-chunked framing (erroring with a ProxyStreamError on failure).
   */
  readonly body: ReadableStream<Uint8Array> | null;
  /** Number of payload bytes `body` yields, when known (x-amz-decoded-content-length or Content-Length). */
  readonly contentLength?: number;
}
