/** Starts Python moto's S3 emulator (moto_server) on a free port on 127.0.0.1. */
import { freePort } from "./ports.ts";
import { missingCommand } from "./tools.ts";
import type { S3Options } from "../../src/config/backend_options/s3.ts";
import { s3OptionsOf } from "./backend_options.ts";

/** A running moto server. */
export interface Moto {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Why moto_server cannot run here (`"moto_server not found"`), or undefined; under CI=true, throws. */
export async function motoMissing(): Promise<string | undefined> {
  return await missingCommand("moto_server");
}

/** Starts moto and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  const port = freePort();
  const child = new Deno.Command("moto_server", {
    args: ["-H", "127.0.0.1", "-p", String(port)],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      await r.body?.cancel();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error("moto_server did not start within 20 s");
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    endpoint,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

/**
 * A gateway bucket entry (YAML flow mapping) named `remote` over a moto
 * bucket; `extra` adds top-level entries (`backend_prefix: p`) and
 * `options` more backend_options (`request_timeout_secs: 1`).
 */
export function motoBucket(
  endpoint: string,
  bucket = "backing",
  more: { readonly extra?: string; readonly options?: string } = {},
): string {
  return `{ name: remote, backend_type: s3, anonymous_access: false${
    more.extra ? `, ${more.extra}` : ""
  }, backend_options: { endpoint: "${endpoint}", bucket_name: ${bucket}, region: us-east-1, access_key_id: testing, secret_access_key: testing${
    more.options ? `, ${more.options}` : ""
  } } }`;
}

/** Creates a bucket in moto (an unsigned `PUT /<name>`, which moto accepts). */
export async function createMotoBucket(endpoint: string, name: string): Promise<void> {
  const r = await fetch(`${endpoint}/${name}`, { method: "PUT" });
  await r.body?.cancel();
  if (!r.ok) throw new Error(`Cannot create moto bucket ${name}: ${r.status}`);
}

/** The s3 backend options of a moto bucket (moto takes any key; these tests use `testing`). */
export function motoS3Options(endpoint: string, bucket: string): S3Options {
  return s3OptionsOf({
    endpoint,
    bucket_name: bucket,
    region: "us-east-1",
    access_key_id: "testing",
    secret_access_key: "testing",
  });
}
