/**
 * DENO_CERT for the streamed uploads: fetch trusts the file itself, but
 * node:https (which streams uploads to S3 backends) is told here.
 */
import { trustCertificates } from "../backends/http/send.ts";
import { err, ok, type Result } from "../result.ts";

/** Trusts the certificates of DENO_CERT (if set); the error says why the file cannot be read. */
export async function trustDenoCert(): Promise<Result<void, string>> {
  const extraCa = Deno.env.get("DENO_CERT");
  if (!extraCa) return ok(undefined);
  try {
    trustCertificates(await Deno.readTextFile(extraCa));
  } catch (e) {
    return err(`DENO_CERT: cannot read ${extraCa}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return ok(undefined);
}
