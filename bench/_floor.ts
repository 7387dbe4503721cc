/**
 * The runtime's floors: what Deno itself reaches on this machine doing only
 * the unavoidable part of bucketgate's work, as contenders beside it. Run as
 * its own process (`startFloor`, or `deno run -A bench/_floor.ts <port>
 * <origin port> <directory>`):
 *
 * - `GET /floor/memory`: 1 KiB from memory (Deno.serve alone);
 * - `GET /floor/memory-s3`: the same with the request's headers, peer,
 *   signal and `completed` read and a GetObject answer's seven headers;
 * - `GET /floor/fs-s3/<name>`: `memory-s3` for the file `<name>` of
 *   `<directory>`: one `statSync` per request (what a gateway over files
 *   must ask to serve the bytes as they are now), the bytes kept in memory
 *   while size and mtime hold (the fs target's second floor);
 * - `GET /floor/file/<name>`: the file from `<directory>` as Deno's own
 *   stream (the fs backend's read, without its per-chunk accounting);
 * - `PUT /floor/file/<name>`: the body written to `<directory>/<name>`
 *   in 1 MiB batches read in place into reused buffers, one write in flight (the fs backend's
 *   write path); `PUT /floor/file-md5/<name>` also computes its MD5, as the
 *   fs backend must for the ETag;
 * - `GET /floor/relay-s3/<path>`: `<path>` relayed from the origin with what
 *   any S3 gateway's relay must do around `fetch`: the request's headers,
 *   peer, signal and `completed` read, the backend call given a headers
 *   record, an abort signal following the client's and `redirect: "manual"`,
 *   and the answer's seven GetObject headers built from the origin's (no
 *   auth, routing, policy, limits, log or metrics: those are ours);
 * - `GET /floor/s3-gateway/<path>`: `relay-s3` plus the indispensable work of
 *   an authenticating S3 gateway on a presigned GET, written plainly with
 *   Deno's and node:crypto's own means (bench/_floor_gateway.ts, nothing of
 *   src/): the presigned SigV4 query (signed for this path, with BENCH_KEY)
 *   verified for real — canonical request, SHA-256, HMAC from a signing key
 *   cached per scope, a constant-time compare, the expiry — 403 if it fails,
 *   and one JSON access-log line per request, batched to stdout (~64 KiB or
 *   the event loop's turn); no routing, policy, limits or metrics;
 * - any other path: relayed to the origin with `fetch`, bodies streamed both
 *   ways (the s3 backend's transport, without auth, routing or headers).
 */
import { createHash } from "node:crypto";
import { batchReader } from "../src/streams/batches.ts";
import { waitForPort } from "./_system.ts";
import { BENCH_KEY } from "./_gateway.ts";
import { accessLog, presignedVerifier, refused } from "./_floor_gateway.ts";

/** A running floor server. */
export interface FloorProcess {
  readonly port: number;
  readonly pid: number;
  /** Stops the process and starts a fresh one (for memory figures). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the floor server on 127.0.0.1:port, relaying to the origin's port, files in `dir`. */
export async function startFloor(
  port: number,
  originPort: number,
  dir: string,
): Promise<FloorProcess> {
  const spawn = async () => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(import.meta.url).pathname, String(port), String(originPort), dir],
      stdin: "null",
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    try {
      await waitForPort(port);
    } catch (e) {
      child.kill("SIGKILL");
      await child.status;
      throw e;
    }
    return child;
  };
  const stop = async (child: Deno.ChildProcess) => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
  };
  let child = await spawn();
  return {
    port,
    get pid() {
      return child.pid;
    },
    async restart() {
      await stop(child);
      child = await spawn();
    },
    stop: () => stop(child),
  };
}

const BATCH = 1024 * 1024;

/** Writes a body to `path` as the fs backend does; its MD5 too when asked. */
async function writeBody(body: ReadableStream<Uint8Array>, path: string, md5: boolean) {
  const hash = md5 ? createHash("md5") : undefined;
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const batches = batchReader(body, BATCH);
    let writing: Promise<void> = Promise.resolve();
    for (let bytes = await batches.next(); bytes; bytes = await batches.next()) {
      hash?.update(bytes);
      await writing;
      const chunk = bytes;
      writing = (async () => {
        for (let at = 0; at < chunk.byteLength;) at += await file.write(chunk.subarray(at));
        batches.release(chunk);
      })();
    }
    await writing;
  } finally {
    file.close();
  }
  return hash?.digest("hex");
}

/**
 * 1 KiB from memory with what Deno.serve must do for any S3 answer besides
 * ours: the request's headers, peer, signal and `completed` read, and the
 * seven headers of a GetObject answer sent.
 */
function s3Shaped(
  req: Request,
  info: Deno.ServeHandlerInfo,
  body: Uint8Array<ArrayBuffer>,
): Response {
  let bytes = 0;
  req.headers.forEach((v, k) => {
    bytes += k.length + v.length;
  });
  if (bytes < 0 || !(info.remoteAddr as Deno.NetAddr).hostname || req.signal.aborted) {
    throw new Error("unreachable");
  }
  info.completed.then(() => {}, () => {});
  const h = new Headers();
  h.set("content-type", "binary/octet-stream");
  h.set("etag", '"0f343b0931126a20f133d67c2b018a3b"');
  h.set("last-modified", "Tue, 24 Nov 2026 12:00:00 GMT");
  h.set("accept-ranges", "bytes");
  h.set("content-length", String(body.byteLength));
  h.set("x-amz-request-id", "0123456789ABCDEF");
  h.set("x-amz-id-2", "0123456789ABCDEF");
  return new Response(body, { headers: h });
}

const ignore = () => {};

/**
 * The origin's `path` relayed as any S3 gateway must relay it; see the module
 * doc. `done` is called with the answer's status and length once it is sent.
 */
async function s3Relay(
  req: Request,
  info: Deno.ServeHandlerInfo,
  url: string,
  done?: (status: number, bytes: number) => void,
): Promise<Response> {
  const asked: Record<string, string> = {};
  req.headers.forEach((v, k) => {
    if (k === "range" || k.startsWith("if-")) asked[k] = v;
  });
  if (!(info.remoteAddr as Deno.NetAddr).hostname) throw new Error("unreachable");
  let status = 0, bytes = 0;
  info.completed.then(done ? () => done(status, bytes) : ignore, ignore);
  const controller = new AbortController();
  req.signal.addEventListener("abort", () => controller.abort(req.signal.reason), { once: true });
  const res = await fetch(url, {
    method: "GET",
    headers: { ...asked, "user-agent": "bucketgate-floor" },
    signal: controller.signal,
    redirect: "manual",
  });
  const h: Record<string, string> = {
    "content-type": res.headers.get("content-type") ?? "binary/octet-stream",
    "etag": res.headers.get("etag") ?? "",
    "last-modified": res.headers.get("last-modified") ?? "",
    "accept-ranges": "bytes",
    "content-length": res.headers.get("content-length") ?? "0",
    "x-amz-request-id": "0123456789ABCDEF",
    "x-amz-id-2": "0123456789ABCDEF",
  };
  status = res.status;
  bytes = Number(h["content-length"]);
  return new Response(res.body, { status: res.status, headers: h });
}

/**
 * An authenticating S3 gateway's presigned GET at its cheapest: the SigV4
 * query verified (403 if it fails), `relay-s3`'s relay, an access-log line.
 */
function s3Gateway(
  verify: ReturnType<typeof presignedVerifier>,
  log: ReturnType<typeof accessLog>,
): (req: Request, info: Deno.ServeHandlerInfo, url: URL, origin: string) => Promise<Response> {
  return async (req, info, url, origin) => {
    // Read now: a request's peer cannot be read once it is closed.
    const remote = (info.remoteAddr as Deno.NetAddr).hostname;
    const userAgent = req.headers.get("user-agent") ?? "-";
    const line = (status: number, bytes: number) =>
      log({ method: req.method, path: url.pathname, status, bytes, remote, userAgent });
    const refusal = verify(req, url);
    if (refusal) {
      line(403, 0);
      return refused(refusal);
    }
    return await s3Relay(req, info, `${origin}${url.pathname.slice(17)}`, line);
  };
}

/** The bytes of `dir`'s files as they are now: a stat per read, kept while size and mtime hold. */
function filesOf(dir: string): (name: string) => Uint8Array<ArrayBuffer> {
  const held = new Map<string, { size: number; mtime: number; bytes: Uint8Array<ArrayBuffer> }>();
  return (name) => {
    if (name.split("/").includes("..")) throw new Error("no such name");
    const path = `${dir}/${name}`;
    const st = Deno.statSync(path);
    const mtime = st.mtime?.getTime() ?? 0;
    const hit = held.get(name);
    if (hit && hit.size === st.size && hit.mtime === mtime) return hit.bytes;
    const bytes = Deno.readFileSync(path) as Uint8Array<ArrayBuffer>;
    held.set(name, { size: st.size, mtime, bytes });
    return bytes;
  };
}

function serve(port: number, originPort: number, dir: string): void {
  const kib = new Uint8Array(1024).fill(0x62);
  const current = filesOf(dir);
  const gateway = s3Gateway(presignedVerifier(BENCH_KEY), accessLog());
  const origin = `http://127.0.0.1:${originPort}`;
  Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req, info) => {
    const url = new URL(req.url);
    const { pathname } = url;
    if (pathname === "/floor/memory") {
      return new Response(kib, { headers: { "content-type": "application/octet-stream" } });
    }
    if (pathname === "/floor/memory-s3") return s3Shaped(req, info, kib);
    if (pathname.startsWith("/floor/fs-s3/")) {
      return s3Shaped(req, info, current(pathname.slice(13)));
    }
    if (pathname.startsWith("/floor/s3-gateway/")) return gateway(req, info, url, origin);
    if (pathname.startsWith("/floor/relay-s3/")) {
      return s3Relay(req, info, `http://127.0.0.1:${originPort}${pathname.slice(15)}`);
    }
    const file = /^\/floor\/(file|file-md5)\/((?:[\w.-]+\/)*[\w.-]+)$/.exec(pathname);
    if (file && file[2]!.split("/").includes("..")) return new Response(null, { status: 400 });
    if (file && req.method === "GET") {
      const f = await Deno.open(`${dir}/${file[2]}`);
      const { size } = await f.stat();
      return new Response(f.readable, { headers: { "content-length": String(size) } });
    }
    if (file && req.method === "PUT" && req.body) {
      const etag = await writeBody(req.body, `${dir}/${file[2]}`, file[1] === "file-md5");
      return new Response(null, { status: 200, headers: etag ? { etag: `"${etag}"` } : {} });
    }
    const res = await fetch(`http://127.0.0.1:${originPort}${pathname}`, {
      method: req.method,
      ...(req.body ? { body: req.body, duplex: "half" } : {}),
    } as RequestInit);
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "content-length", "etag", "last-modified"]) {
      const value = res.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    return new Response(res.body, { status: res.status, headers });
  });
}

if (import.meta.main) {
  const [port, originPort] = Deno.args.slice(0, 2).map(Number);
  const dir = Deno.args[2];
  if (!port || !originPort || !dir) throw new Error("usage: _floor.ts <port> <origin port> <dir>");
  serve(port, originPort, dir);
}
