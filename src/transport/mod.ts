/**
 * The backends' HTTP/1.1 transport: `createTransport()` and its types. See
 * client.ts for what it guarantees.
 */
export {
  createTransport,
  defaultConnector,
  type Transport,
  type TransportOptions,
  type TransportRequest,
  type TransportResponse,
} from "./client.ts";
export type { StreamBody } from "./body_writer.ts";
export type { HeaderFields } from "./request_head.ts";
export type { Connector, Endpoint, PoolStats } from "./pool.ts";
export {
  TRANSPORT_ERROR_CODES,
  TransportError,
  type TransportErrorCode,
} from "./transport_error.ts";
