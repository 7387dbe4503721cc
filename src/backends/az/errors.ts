/** Azure error answers as ProxyErrors: the codes a client should see, anything else a 503. */
import { type ProxyError, proxyError, type ProxyErrorKind } from "../../errors.ts";
import { type HttpResponse, release } from "../http/send.ts";
import { readText } from "../http/read_body.ts";
import { parseXml, str } from "./xml.ts";

// Azure error codes whose meaning the client should see; anything else is a 503.
const AZURE_ERRORS: Record<string, ProxyErrorKind> = {
  BlobNotFound: "NoSuchKey",
  ConditionNotMet: "PreconditionFailed",
  TargetConditionNotMet: "PreconditionFailed",
  BlobAlreadyExists: "PreconditionFailed",
  InvalidRange: "InvalidRange",
  Md5Mismatch: "BadDigest",
  RequestBodyTooLarge: "EntityTooLarge",
  InvalidBlockList: "InvalidPart",
};

/** The error kind of an Azure status and error code, if the client should see it. */
export function azureErrorKind(status: number, code: string): ProxyErrorKind | undefined {
  return AZURE_ERRORS[code] ??
    (status === 404 && !code ? "NoSuchKey" : status === 412 ? "PreconditionFailed" : undefined);
}

/** The ProxyError of an Azure answer that is not the one expected (its body is consumed). */
export async function errorFrom(res: HttpResponse, what: string): Promise<ProxyError> {
  if (res.status === 304) {
    await release(res);
    return proxyError("NotModified", "Not Modified");
  }
  const text = await readText(res, what);
  const e = parseXml(text.ok ? text.value : "")?.Error as
    | { Code?: unknown; Message?: unknown }
    | undefined;
  const code = res.headers.get("x-ms-error-code") ?? str(e?.Code);
  const kind = azureErrorKind(res.status, code);
  if (kind === "NoSuchKey") return proxyError(kind, "The specified key does not exist.");
  if (kind === "PreconditionFailed") {
    return proxyError(kind, "At least one of the pre-conditions you specified did not hold");
  }
  if (kind) return proxyError(kind, `${what}: ${code}`);
  const message = str(e?.Message).split("\n")[0];
  const requestId = res.headers.get("x-ms-request-id") ?? "-";
  return proxyError(
    "BackendError",
    "The backend failed",
    `${what}: HTTP ${res.status} ${code} ${message} (x-ms-request-id ${requestId})`,
  );
}
