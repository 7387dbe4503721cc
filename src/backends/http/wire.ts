/**
 * The backends' default transport, chosen by measurement (bench/results.md,
 * the backend transport decision of 2026-12-03): `send` (fetch, and
 * node:http for streamed uploads). An HTTP/1.1 client of our own cost 5–8%
 * less CPU per 1 KiB GET through the gateway, within the 15% that keeps the
 * simpler one, and 1.9× the CPU per byte of a 1 GiB GET (fetch's body never
 * enters JavaScript), so it was removed (git history keeps it). Swap the
 * transport here, in one place, for both backends (s3 and az) and the retries.
 */
import { send, type Transport } from "./send.ts";

/** What the s3 and az backends send through unless their deps name another. */
export const backendTransport: Transport = send;
