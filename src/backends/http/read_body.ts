/**
 * Reading a store's answer: its body as text or as a parsed document, where
 * a body that fails mid-read is the store's failure (a BackendError in the
 * Result), never a throw.
 */
import { type ProxyError, proxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type { HttpResponse } from "./send.ts";

/**
 * A response's body as text, or a BackendError when reading it fails (the
 * connection reset mid-way, the deadline cut it): a store's half-sent answer
 * is its failure, never a throw.
 */
export async function readText(
  res: HttpResponse,
  what: string,
): Promise<Result<string, ProxyError>> {
  if (!res.body) return ok("");
  try {
    return ok(await new Response(res.body).text());
  } catch (e) {
    return err(proxyError("BackendError", "The backend failed", bodyFailure(what, res.status, e)));
  }
}

/** A parsed document and the text it came from. */
export interface ReadDocument {
  readonly doc: Record<string, unknown>;
  readonly text: string;
}

/**
 * A response's body parsed by `parse` (an XML parser of the store's): a body
 * that fails mid-read or text that is not XML is a BackendError naming `what`.
 */
export async function readDocument(
  res: HttpResponse,
  what: string,
  parse: (text: string) => Record<string, unknown> | undefined,
): Promise<Result<ReadDocument, ProxyError>> {
  const text = await readText(res, what);
  if (!text.ok) return text;
  const doc = parse(text.value);
  if (doc) return ok({ doc, text: text.value });
  return err(proxyError("BackendError", "The backend failed", `${what}: unparseable XML`));
}

/** The log detail of a body that failed mid-read. */
function bodyFailure(what: string, status: number, cause: unknown): string {
  const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return `${what}: HTTP ${status}, the body failed mid-read (${why})`;
}
