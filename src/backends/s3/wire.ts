/**
 * The backends' default transport, chosen by measurement (bench/results.md,
 * "The backend transport through the gateway", 2026-12-03): `send` (fetch,
 * and node:http for streamed uploads). Our own client (`ownSend`,
 * own_transport.ts) costs 5–7% less CPU per 1 KiB GET through the gateway,
 * within the 15% that keeps the simpler one, and 1.9× the CPU per byte of a
 * large GET (fetch's body never enters JavaScript). Swap it here, in one
 * place, for both backends (s3 and az) and the retries.
 */
import { send, type Transport } from "./http.ts";

/** What the s3 and az backends send through unless their deps name another. */
export const backendTransport: Transport = send;
