/**
 * Reading the body of an Azure answer. A connection that drops while a body
 * is read is a backend failure (a ProxyError in the Result), never a throw.
 */
import type { ProxyError } from "../../errors.ts";
import { ok, type Result } from "../../result.ts";
import type { HttpResponse } from "../http/send.ts";
import { readDocument, readText } from "../http/read_body.ts";
import { parseXml } from "./xml.ts";

/** The body as an XML document; unreadable or unparseable is a BackendError. */
export async function readXml(
  res: HttpResponse,
  what: string,
): Promise<Result<Record<string, unknown>, ProxyError>> {
  const read = await readDocument(res, what, parseXml);
  return read.ok ? ok(read.value.doc) : read;
}

/**
 * The body as JSON (bucketgate's own small records): a failed read is a
 * BackendError; text that is not JSON is `undefined`, for the caller to judge.
 */
export async function readJson(
  res: HttpResponse,
  what: string,
): Promise<Result<unknown, ProxyError>> {
  const text = await readText(res, what);
  if (!text.ok) return text;
  try {
    return ok(JSON.parse(text.value) as unknown);
  } catch {
    return ok(undefined);
  }
}
