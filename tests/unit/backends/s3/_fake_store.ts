/**
 * A store behind a fake transport (no sockets): each request is recorded and
 * answered by a function, and bodies can fail mid-read like a connection reset.
 */
import { createS3Backend, type S3BackendDeps } from "../../../../src/backends/s3/s3.ts";
import { s3OptionsOf } from "../../../_support/backend_options.ts";
import type { Backend } from "../../../../src/backends/backend.ts";
import type { HttpResponse, SendRequest } from "../../../../src/backends/http/send.ts";

/** A store's answer: a status, headers, and a body (a string, or a stream). */
export interface FakeAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | ReadableStream<Uint8Array>;
}

/** A request as the fake saw it, its URL parsed (the client sends a string). */
export type SeenRequest = Omit<SendRequest, "url"> & { readonly url: URL };

/** A fake store's backend and the requests it saw. */
export interface FakeStore {
  readonly backend: Backend;
  readonly seen: SeenRequest[];
}

/** An s3 backend (bucket `bkt`, unsigned unless `signed`) over a fake transport. */
export function fakeStore(
  answer: (req: SeenRequest, n: number) => FakeAnswer,
  deps: Omit<S3BackendDeps, "transport"> & { readonly signed?: boolean } = {},
): FakeStore {
  const seen: SeenRequest[] = [];
  const transport = (sent: SendRequest): Promise<HttpResponse> => {
    const req = { ...sent, url: new URL(sent.url) };
    seen.push(req);
    const a = answer(req, seen.length - 1);
    const body = typeof a.body === "string" ? new Response(a.body).body : a.body ?? null;
    return Promise.resolve({ status: a.status, headers: new Headers(a.headers), body });
  };
  const { signed, ...rest } = deps;
  const options = s3OptionsOf({
    endpoint: "http://store.test",
    bucket_name: "bkt",
    region: "us-east-1",
    ...(signed
      ? { access_key_id: "AKIDEXAMPLE", secret_access_key: "secret" }
      : { skip_signature: true }),
  });
  return { backend: createS3Backend(options, { ...rest, transport }), seen };
}
