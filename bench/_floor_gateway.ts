/**
 * What an authenticating S3 gateway cannot skip on a presigned GET, written
 * plainly with what Deno offers and nothing of bucketgate's (the `s3-gateway`
 * floor of bench/_floor.ts): the presigned SigV4 query verified for real
 * (node:crypto's SHA-256 and HMAC, the signing key cached per scope, a
 * constant-time compare, the expiry against the clock) and one JSON access-log
 * line per request, batched to stdout.
 */
import { Buffer } from "node:buffer";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** An access key the verifier knows. */
export interface FloorKey {
  readonly id: string;
  readonly secret: string;
}

/** Why a presigned request is refused (undefined: it is not). */
export type Refusal = string | undefined;

const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_EXPIRES = 7 * 24 * 3600;

const SUB_DELIMS = /[!'()*]/;
const SUB_DELIMS_ALL = /[!'()*]/g;
const hexEscape = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/** RFC 3986 percent-encoding, as SigV4 wants it: only A–Z a–z 0–9 - . _ ~ left as they are. */
function encode(s: string): string {
  const e = encodeURIComponent(s);
  return SUB_DELIMS.test(e) ? e.replace(SUB_DELIMS_ALL, hexEscape) : e;
}

/** `YYYYMMDDTHHMMSSZ` in ms since the epoch (NaN if malformed). */
function amzTime(s: string): number {
  if (!/^\d{8}T\d{6}Z$/.test(s)) return NaN;
  const n = (a: number, b: number) => Number(s.slice(a, b));
  return Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(9, 11), n(11, 13), n(13, 15));
}

/** The path URI-encoded as SigV4 does for S3: each segment decoded, then encoded once. */
function canonicalPath(pathname: string): string | undefined {
  try {
    return pathname.split("/").map((s) => encode(decodeURIComponent(s))).join("/");
  } catch {
    return undefined;
  }
}

/** The query's pairs, decoded (undefined if a `%` escape is malformed). */
function queryOf(search: string): [string, string][] | undefined {
  const q: [string, string][] = [];
  try {
    for (const part of search.slice(1).split("&")) {
      if (!part) continue;
      const eq = part.indexOf("=");
      const [k, v] = eq < 0 ? [part, ""] : [part.slice(0, eq), part.slice(eq + 1)];
      q.push([decodeURIComponent(k), decodeURIComponent(v)]);
    }
  } catch {
    return undefined;
  }
  return q;
}

/** A verifier of presigned SigV4 GETs signed with `key`; `now` is the clock in ms. */
export function presignedVerifier(
  key: FloorKey,
  now: () => number = Date.now,
): (req: Request, url: URL) => Refusal {
  const signingKeys = new Map<string, Buffer>();
  const signingKey = (date: string, region: string, service: string) => {
    const scope = `${date}/${region}/${service}`;
    let k = signingKeys.get(scope);
    if (!k) {
      const hmac = (k: string | Buffer, s: string) => createHmac("sha256", k).update(s).digest();
      k = hmac(hmac(hmac(hmac(`AWS4${key.secret}`, date), region), service), "aws4_request");
      signingKeys.set(scope, k);
    }
    return k;
  };
  return (req, url) => {
    const q = queryOf(url.search);
    if (!q) return "AuthorizationQueryParametersError";
    const p = Object.fromEntries(q);
    if (p["X-Amz-Algorithm"] !== ALGORITHM) return "AuthorizationQueryParametersError";
    const [id, date, region, service, term, ...rest] = (p["X-Amz-Credential"] ?? "").split("/");
    const amzDate = p["X-Amz-Date"] ?? "";
    const signedAt = amzTime(amzDate);
    const expires = Number(p["X-Amz-Expires"]);
    const signedHeaders = p["X-Amz-SignedHeaders"] ?? "";
    const given = p["X-Amz-Signature"] ?? "";
    if (
      !date || !region || !service || term !== "aws4_request" || rest.length ||
      !amzDate.startsWith(date) || Number.isNaN(signedAt) || !Number.isInteger(expires) ||
      expires < 1 || expires > MAX_EXPIRES || !signedHeaders || !/^[0-9a-f]{64}$/.test(given)
    ) return "AuthorizationQueryParametersError";
    if (id !== key.id) return "InvalidAccessKeyId";
    const t = now();
    if (t >= signedAt + expires * 1000 || t < signedAt - 15 * 60_000) return "AccessDenied";
    const names = signedHeaders.split(";");
    let headers = "";
    for (const name of names) {
      const v = req.headers.get(name);
      if (v === null) return "AccessDenied";
      headers += `${name}:${v.trim().replace(/ +/g, " ")}\n`;
    }
    const query = q.filter(([k]) => k !== "X-Amz-Signature")
      .map(([k, v]) => [encode(k), encode(v)])
      .sort(([a, x], [b, y]) => a! < b! ? -1 : a! > b! ? 1 : x! < y! ? -1 : x! > y! ? 1 : 0)
      .map(([k, v]) => `${k}=${v}`).join("&");
    const path = canonicalPath(url.pathname);
    if (path === undefined) return "AuthorizationQueryParametersError";
    const canonical =
      `${req.method}\n${path}\n${query}\n${headers}\n${signedHeaders}\nUNSIGNED-PAYLOAD`;
    const hash = createHash("sha256").update(canonical).digest("hex");
    const toSign = `${ALGORITHM}\n${amzDate}\n${date}/${region}/${service}/aws4_request\n${hash}`;
    const mine = createHmac("sha256", signingKey(date, region, service)).update(toSign).digest();
    return timingSafeEqual(mine, Buffer.from(given, "hex")) ? undefined : "SignatureDoesNotMatch";
  };
}

/** An S3 error answer for a refusal (rare: no effort spent on it). */
export function refused(code: string): Response {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
    `<Message>Request refused</Message></Error>`;
  return new Response(body, { status: 403, headers: { "content-type": "application/xml" } });
}

/** What an access-log line records of a request. */
export interface LogFields {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly bytes: number;
  readonly remote: string;
  readonly userAgent: string;
}

const FLUSH_AT = 64 * 1024;

/**
 * An access log: `log(fields)` adds one JSON line, written to `sink` (stdout)
 * with its lines gathered since, once ~64 KiB have gathered or at the end of
 * the event loop's turn (one `setTimeout(0)` per batch).
 */
export function accessLog(
  sink: { writeSync(p: Uint8Array): number } = Deno.stdout,
): (f: LogFields) => void {
  let lines: string[] = [];
  let size = 0;
  let pending = false;
  const encoder = new TextEncoder();
  const write = () => {
    if (!lines.length) return;
    const bytes = encoder.encode(lines.join(""));
    lines = [];
    size = 0;
    for (let at = 0; at < bytes.byteLength;) at += sink.writeSync(bytes.subarray(at));
  };
  const atTurnEnd = () => {
    pending = false;
    write();
  };
  return (f) => {
    const line = JSON.stringify({
      time: new Date().toISOString(),
      method: f.method,
      path: f.path,
      status: f.status,
      bytes: f.bytes,
      remote: f.remote,
      user_agent: f.userAgent,
    }) + "\n";
    lines.push(line);
    size += line.length;
    if (size >= FLUSH_AT) write();
    else if (!pending) {
      pending = true;
      setTimeout(atTurnEnd, 0);
    }
  };
}
