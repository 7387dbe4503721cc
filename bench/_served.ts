/**
 * Requests as `Deno.serve` hands them to the gateway, for in-process benches
 * (bench/auth_paired.ts): a `Request` built with `new Request` has headers of
 * another kind (guard "request": each `forEach` sorts them again, each `get`
 * lower-cases every name), so a bench over those weighs header reads wrongly.
 * These are held open (their handler waits) until `close`, and each has had
 * one `forEach`, as the route's header walk does before authentication.
 */
import type { WrkRequest } from "./_wrk.ts";

/** Requests received by a local `Deno.serve`, held open. */
export interface ServedRequests {
  /** Per group, the requests as received, in the order given. */
  readonly requests: Request[][];
  /** Answers them and stops the server. */
  close(): Promise<void>;
}

/** Sends each group's requests over raw TCP (exactly these headers and `Host`) and holds them open. */
export async function servedRequests(
  port: number,
  groups: readonly (readonly WrkRequest[])[],
): Promise<ServedRequests> {
  let arrived = Promise.withResolvers<Request>();
  const release = Promise.withResolvers<void>();
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, signal: ac.signal, onListen() {} },
    async (req) => {
      arrived.resolve(req);
      await release.promise;
      return new Response(null);
    },
  );
  const conns: Deno.TcpConn[] = [];
  const requests: Request[][] = [];
  for (const group of groups) {
    const got: Request[] = [];
    for (const r of group) {
      // One at a time, so each request is known by its turn, with no header of the bench's own.
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conns.push(conn);
      const lines = [`${r.method} ${r.path} HTTP/1.1`, `Host: 127.0.0.1:${port}`];
      for (const [k, v] of Object.entries(r.headers ?? {})) lines.push(`${k}: ${v}`);
      lines.push("", "");
      await conn.write(new TextEncoder().encode(lines.join("\r\n")));
      const req = await arrived.promise;
      arrived = Promise.withResolvers<Request>();
      req.headers.forEach(() => {}); // the route's walk
      got.push(req);
    }
    requests.push(got);
  }
  return {
    requests,
    async close() {
      release.resolve();
      for (const c of conns) c.close();
      ac.abort();
      await server.finished;
    },
  };
}
