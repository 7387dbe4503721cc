/**
 * The limits of a browser form upload (POST Object). Its signer is named by
 * the form, not the headers, so it is known only inside the handler: the
 * handler calls `admitSigner` with the verified signer before the file
 * streams, and the request is checked, counted and paced as that signer's
 * (its key, role and bucket rules), never as anonymous. A form refused before
 * it named a signer (a bad signature, a malformed form) counts toward its
 * source network's anonymous rate, as a bad header signature does.
 */
import type { Identity } from "../auth/identity.ts";
import type { ProxyError } from "../errors.ts";
import type { Limiter, Ticket } from "../limits/limiter.ts";
import { type MeteredBody, meterResponse, meterUpload } from "../limits/meter.ts";
import { callerOf } from "../limits/plan.ts";
import { ok, type Result } from "../result.ts";

/**
 * Admits a form's signer (on `bucket`, the configured bucket its key names,
 * when not the one addressed); answers the file's stream, metered, or the
 * refusal (503 or 429).
 */
export type AdmitSigner = (
  signer: Identity,
  file: ReadableStream<Uint8Array>,
  bucket?: string,
) => Promise<Result<ReadableStream<Uint8Array>, ProxyError>>;

/** One form upload's limits: `admitSigner` for the handler, `settle` for its answer. */
export interface FormLimits {
  readonly admitSigner: AdmitSigner;
  /** The answer metered under the signer's ticket, after the anonymous charge when no signer was admitted. */
  settle(answer: Result<Response, ProxyError>): Promise<Result<Response, ProxyError>>;
}

/** Where the form came from: its source address, the bucket, its Content-Length. */
export interface FormSource {
  readonly sourceIp: string;
  readonly bucket: string;
  readonly contentLength: number;
  /** How the client names a configured bucket, when otherwise (path mapping): for messages. */
  readonly shown?: (bucket: string) => string | undefined;
}

/** The limits of one form upload; `onSent` hears what a pacer sends (the idle watch). */
export function formLimits(
  limiter: Limiter,
  from: FormSource,
  onSent?: (n: number) => void,
): FormLimits {
  let asked = false;
  let ticket: Ticket | undefined;
  let upload: MeteredBody | undefined;
  return {
    async admitSigner(signer, file, bucket) {
      asked = true;
      const named = bucket ?? from.bucket;
      const caller = callerOf(signer, from.sourceIp, named, from.shown?.(named));
      const admitted = await limiter.admit(caller, from.contentLength);
      if (!admitted.ok) return admitted;
      ticket = admitted.value;
      upload = meterUpload(ticket, file, onSent);
      return ok(upload.body ?? file);
    },
    async settle(answer) {
      if (!asked) await limiter.charge(callerOf(undefined, from.sourceIp));
      if (!ticket || !upload || !answer.ok) return answer;
      return await meterResponse(ticket, answer.value, upload.bytes, onSent);
    },
  };
}
