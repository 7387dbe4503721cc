/**
 * An in-process stand-in for the Blob service: an az backend (or context)
 * whose transport is a function of the request, whose clock is fixed and
 * whose sleeps are recorded instead of waited.
 */
import { fixedClock } from "../../../../src/clock.ts";
import type { HttpResponse, SendRequest } from "../../../../src/backends/http/send.ts";
import { createAzClient } from "../../../../src/backends/az/client.ts";
import type { AzContext } from "../../../../src/backends/az/context.ts";
import { resolveDeps } from "../../../../src/backends/az/deps.ts";
import { azOptionsOf as azOptions } from "../../../_support/backend_options.ts";
import { createAzBackend } from "../../../../src/backends/az/az.ts";
import type { Backend } from "../../../../src/backends/backend.ts";

/** The fixed time of every fake: Sat, 28 Nov 2026 06:00:00 GMT. */
export const FAKE_NOW = Date.UTC(2026, 10, 28, 6, 0, 0);

/** A request as the fake saw it, its URL parsed (a transport may be given a string). */
export type SeenRequest = Omit<SendRequest, "url"> & { readonly url: URL };

/** What a fake answers a request with. */
export type Answerer = (req: SeenRequest) => HttpResponse | Promise<HttpResponse>;

/** An answer with a text (or streamed) body. */
export function answer(
  status: number,
  body: string | ReadableStream<Uint8Array> | null = null,
  headers: Record<string, string> = {},
): HttpResponse {
  const stream = typeof body === "string" ? new Response(body).body : body;
  return { status, headers: new Headers(headers), body: stream };
}

/** A fake: its backend and context, the requests it saw, and the sleeps asked for. */
export interface Fake {
  readonly backend: Backend;
  readonly ctx: AzContext;
  readonly requests: SeenRequest[];
  readonly sleeps: number[];
  readonly clock: ReturnType<typeof fixedClock>;
}

/** Options of a fake: the auth given in backend_options form. */
export interface FakeOptions {
  readonly auth?: Record<string, unknown>;
}

/** A fake account `acct1`, container `data`, at `https://acct1.blob.core.windows.net`. */
export function fake(answerer: Answerer, options: FakeOptions = {}): Fake {
  const requests: SeenRequest[] = [];
  const sleeps: number[] = [];
  const clock = fixedClock(FAKE_NOW);
  const deps = {
    clock,
    sleep: (ms: number) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    transport: async (sent: SendRequest) => {
      const req = { ...sent, url: new URL(sent.url) };
      requests.push(req);
      // As the wire does: a streamed body is sent (read to its end) before the answer.
      if (req.body?.kind === "stream") await new Response(req.body.stream).arrayBuffer();
      return await answerer(req);
    },
  };
  const o = azOptions({
    account_name: "acct1",
    container_name: "data",
    ...(options.auth ?? { skip_signature: true }),
  });
  const resolved = resolveDeps(deps);
  const ctx: AzContext = {
    ...resolved,
    client: createAzClient(o, resolved),
    requestTimeoutMs: o.requestTimeoutMs,
  };
  return { backend: createAzBackend(o, deps), ctx, requests, sleeps, clock };
}

/** A List Blobs answer holding `blobs` (raw `<Blob>` XML) and `prefixes` (raw `<BlobPrefix>`). */
export function listing(blobs: string, opts: { prefixes?: string; next?: string } = {}): string {
  return `<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs>${blobs}${
    opts.prefixes ?? ""
  }</Blobs><NextMarker>${opts.next ?? ""}</NextMarker></EnumerationResults>`;
}

/** One `<Blob>` of a listing. */
export function blob(name: string, opts: { encoded?: boolean; metadata?: string } = {}): string {
  const n = opts.encoded ? `<Name Encoded="true">${name}</Name>` : `<Name>${name}</Name>`;
  return `<Blob>${n}<Properties><Content-Length>3</Content-Length><Etag>0x1</Etag>` +
    `<Last-Modified>Sat, 28 Nov 2026 06:00:00 GMT</Last-Modified></Properties>` +
    `<Metadata>${opts.metadata ?? ""}</Metadata></Blob>`;
}
