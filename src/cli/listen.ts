/** A listen address (`listen:`, `--listen`, `--admin-listen`) as Deno.serve's hostname and port. */
import { err, ok, type Result } from "../result.ts";

/** Deno.serve's address options. */
export interface ListenAddress {
  readonly hostname: string;
  readonly port: number;
}

/**
 * Splits HOST:PORT (`[v6]:PORT` with brackets, which are dropped); the error
 * is the message printed before exiting 2.
 */
export function parseListen(listen: string): Result<ListenAddress, string> {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(listen);
  if (!m) return err(`listen address must be HOST:PORT, got ${listen}`);
  const port = Number(m[2]);
  if (port > 65535) return err(`listen port out of range: ${listen}`);
  return ok({ hostname: m[1]!.replace(/^\[|\]$/g, ""), port });
}
