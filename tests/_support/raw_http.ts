/**
 * A raw HTTP/1.1 client over a TCP socket, for the clients that fetch cannot
 * be: one that stops sending a body, stops reading an answer, or trickles its
 * request head. Reads take a timeout and never wait for the end of the
 * connection unless asked to.
 */
import assert from "node:assert/strict";
import { testSigner } from "./signer.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A parsed response head. */
export interface RawResponseHead {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Map<string, string>;
}

/** A socket that reads on demand. */
export class RawClient {
  readonly #conn: Deno.TcpConn;
  #pending: Promise<number | null> | undefined;
  readonly #buf = new Uint8Array(64 * 1024);
  #rest: Uint8Array = new Uint8Array(0);
  #closed = false;
  /** How the server ended the connection, once it did. */
  ended: "eof" | "error" | undefined;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /** The client's own port (the server's socket for it names it). */
  get localPort(): number {
    return this.#conn.localAddr.port;
  }

  /** Connects to 127.0.0.1:port. */
  static async connect(port: number): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Sends bytes (a string is UTF-8). */
  async write(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    let at = 0;
    while (at < bytes.length) at += await this.#conn.write(bytes.subarray(at));
  }

  /**
   * The next bytes from the server; null once it ended the connection;
   * "timeout" when nothing came within `ms` (the read stays pending and the
   * next call picks it up).
   */
  async read(ms: number): Promise<Uint8Array | null | "timeout"> {
    if (this.#rest.length > 0) {
      const r = this.#rest;
      this.#rest = new Uint8Array(0);
      return r;
    }
    if (this.ended) return null;
    this.#pending ??= this.#conn.read(this.#buf).catch(() => {
      this.ended = "error";
      return null;
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"timeout">((ok) => timer = setTimeout(() => ok("timeout"), ms));
    const n = await Promise.race([this.#pending, late]);
    clearTimeout(timer);
    if (n === "timeout") return n;
    this.#pending = undefined;
    if (n === null) {
      this.ended ??= "eof";
      return null;
    }
    return this.#buf.slice(0, n);
  }

  /** Reads a response head (status line and headers) within `ms`. */
  async readHead(ms: number): Promise<RawResponseHead> {
    const deadline = Date.now() + ms;
    let text = "";
    let got: Uint8Array = new Uint8Array(0);
    for (;;) {
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        const headBytes = encoder.encode(text.slice(0, end + 4)).length;
        this.#rest = got.slice(headBytes);
        const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
        const headers = new Map<string, string>();
        for (const l of lines) {
          const i = l.indexOf(":");
          headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
        }
        return { status: Number(statusLine!.split(" ")[1]), headers };
      }
      const chunk = await this.read(Math.max(1, deadline - Date.now()));
      if (chunk === "timeout") throw new Error(`no response head within ${ms} ms: ${text}`);
      if (chunk === null) throw new Error(`connection ended before a response head: ${text}`);
      got = concat(got, chunk);
      text = decoder.decode(got);
    }
  }

  /** Reads exactly `n` body bytes within `ms`. */
  async readBody(n: number, ms: number): Promise<Uint8Array> {
    const deadline = Date.now() + ms;
    let got: Uint8Array = new Uint8Array(0);
    while (got.length < n) {
      const chunk = await this.read(Math.max(1, deadline - Date.now()));
      if (chunk === "timeout" || chunk === null) {
        throw new Error(`body ended (${chunk}) after ${got.length} of ${n} bytes`);
      }
      got = concat(got, chunk);
    }
    this.#rest = got.slice(n);
    return got.slice(0, n);
  }

  /** Reads until the server ends the connection or `ms` pass; the byte count read. */
  async drain(ms: number): Promise<{ bytes: number; ended: boolean }> {
    const deadline = Date.now() + ms;
    let bytes = 0;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return { bytes, ended: false };
      const chunk = await this.read(left);
      if (chunk === null) return { bytes, ended: true };
      if (chunk === "timeout") return { bytes, ended: false };
      bytes += chunk.length;
    }
  }

  /** Closes the socket (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* closed */ }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * The head of a SigV4-signed request (UNSIGNED-PAYLOAD) for a raw socket:
 * request line and headers, ending in the blank line.
 */
export async function signedRequestHead(
  port: number,
  key: { readonly id: string; readonly secret: string },
  r: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    /** Raw query parameters (an empty value is written as the bare name). */
    query?: Record<string, string>;
    /** Adds `transfer-encoding: chunked` (unsigned, as clients send it). */
    chunked?: boolean;
  },
): Promise<string> {
  const query = r.query ?? {};
  const signed = await testSigner(key).sign({
    method: r.method,
    protocol: "http:",
    hostname: "127.0.0.1",
    port,
    path: r.path,
    query,
    headers: {
      host: `127.0.0.1:${port}`,
      "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
      ...r.headers,
    },
  });
  const qs = Object.entries(query).map(([k, v]) => (v === "" ? k : `${k}=${v}`)).join("&");
  const lines = [`${r.method} ${r.path}${qs ? "?" + qs : ""} HTTP/1.1`];
  for (const [k, v] of Object.entries(signed.headers)) lines.push(`${k}: ${v}`);
  if (r.chunked) lines.push("transfer-encoding: chunked");
  return lines.join("\r\n") + "\r\n\r\n";
}

/**
 * Reads the answer to a stalled upload, which must be 400 RequestTimeout with
 * `Connection: close`; returns its XML body and when its head arrived.
 */
export async function readRequestTimeout(
  client: RawClient,
  headMs: number,
): Promise<{ body: string; headAt: number }> {
  const head = await client.readHead(headMs);
  const headAt = Date.now();
  assert.equal(head.status, 400);
  assert.equal(head.headers.get("connection"), "close");
  const body = decoder.decode(
    await client.readBody(Number(head.headers.get("content-length")), 2000),
  );
  assert.match(body, /<Code>RequestTimeout<\/Code>/);
  return { body, headAt };
}

/**
 * Sends a signed PUT of `pieces` copies of `piece`, one every `everyMs`: a
 * slow but steady client, which no idle timeout may cut.
 */
export async function trickleUpload(
  client: RawClient,
  port: number,
  key: { readonly id: string; readonly secret: string },
  path: string,
  piece: Uint8Array,
  pieces: number,
  everyMs: number,
): Promise<void> {
  await client.write(
    await signedRequestHead(port, key, {
      method: "PUT",
      path,
      headers: { "content-length": String(piece.length * pieces) },
    }),
  );
  for (let i = 0; i < pieces; i++) {
    await new Promise((ok) => setTimeout(ok, everyMs));
    await client.write(piece);
  }
}

/** A whole answer read off a raw socket. */
export interface RawAnswer {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Uint8Array;
}

/** Sends a head (and body) on `c` and reads the whole answer, which must carry a length. */
export async function rawExchange(
  c: RawClient,
  head: string,
  body?: Uint8Array,
): Promise<RawAnswer> {
  await c.write(head);
  if (body) await c.write(body);
  const h = await c.readHead(10_000);
  const length = h.status === 204 ? "0" : h.headers.get("content-length");
  assert.ok(length !== undefined, `a length on ${head.split("\r\n")[0]}`);
  return { ...h, body: await c.readBody(Number(length), 10_000) };
}
