/**
 * Starts Azurite's Blob service (npm `azurite`, in memory) on a free port on
 * 127.0.0.1, installing it into a cache directory on first use. Azurite checks
 * Shared Key signatures, so every request the az backend signs is verified by
 * a signer that is not ours.
 */
import { Buffer } from "node:buffer";
import { freePort } from "./ports.ts";
import { requireTool } from "./tools.ts";
import { createHmac } from "node:crypto";
import { sharedKeyAuthorization } from "../../src/backends/az/shared_key.ts";
import type { AzOptions } from "../../src/config/backend_options/az.ts";
import { azOptionsOf } from "./backend_options.ts";

/** Azurite's well-known development account. */
export const AZURITE_ACCOUNT = "devstoreaccount1";
/** Its key (public, documented by Microsoft). */
export const AZURITE_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const VERSION = "3.37.0";
const TOOLS = `${Deno.env.get("HOME") ?? "/tmp"}/.cache/bucketgate-azurite`;
const BIN = `${TOOLS}/node_modules/azurite/dist/src/blob/main.js`;

/** A running Azurite. */
export interface Azurite {
  /** The account endpoint, path style: `http://127.0.0.1:PORT/devstoreaccount1`. */
  readonly endpoint: string;
  readonly port: number;
  /** Creates a container (Shared Key signed); `publicRead` lets anyone read and list it. */
  createContainer(name: string, options?: { readonly publicRead?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

async function installed(): Promise<boolean> {
  return await Deno.stat(BIN).then(() => true, () => false);
}

/**
 * Why Azurite cannot run here, or undefined when it can (node and npm present;
 * installs it once into ~/.cache/bucketgate-azurite). Under CI=true, throws.
 */
export async function azuriteMissing(): Promise<string | undefined> {
  try {
    if (!(await installed())) await install();
    return requireTool(await installed() ? undefined : "azurite not installed");
  } catch (e) {
    return requireTool(`azurite could not be installed: ${e instanceof Error ? e.message : e}`);
  }
}

/** Installs Azurite once; test files running in parallel wait for the first one's install. */
async function install(): Promise<void> {
  await Deno.mkdir(TOOLS, { recursive: true });
  const lock = `${TOOLS}/.installing`;
  try {
    await Deno.mkdir(lock);
  } catch {
    const deadline = Date.now() + 300_000;
    while (!(await installed()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
    }
    return;
  }
  try {
    const out = await new Deno.Command("npm", {
      args: ["install", "--no-audit", "--no-fund", "--prefix", TOOLS, `azurite@${VERSION}`],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  } finally {
    await Deno.remove(lock);
  }
}

/** Starts Azurite's Blob service in memory and waits until it answers. */
export async function startAzurite(): Promise<Azurite> {
  const port = freePort();
  const workspace = await Deno.makeTempDir({ prefix: "bucketgate-azurite-" });
  const child = new Deno.Command("node", {
    args: [
      BIN,
      "--blobHost",
      "127.0.0.1",
      "--blobPort",
      String(port),
      "--inMemoryPersistence",
      "--silent",
      "--disableTelemetry",
      "--skipApiVersionCheck",
    ],
    cwd: workspace,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const collecting = (async () => {
    for await (const t of child.stderr.pipeThrough(new TextDecoderStream())) stderr += t;
  })();
  let exited = false;
  const status = child.status.finally(() => exited = true);
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}?comp=list`);
      await res.body?.cancel();
      break;
    } catch {
      if (exited || Date.now() > deadline) {
        if (!exited) child.kill("SIGKILL");
        await status;
        await collecting;
        throw new Error(`azurite did not start: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    endpoint,
    port,
    async createContainer(name, options = {}) {
      const url = new URL(`${endpoint}/${name}?restype=container`);
      const headers: Record<string, string> = {
        "x-ms-date": new Date().toUTCString(),
        "x-ms-version": "2021-12-02",
        ...(options.publicRead ? { "x-ms-blob-public-access": "container" } : {}),
      };
      headers.authorization = sharedKeyAuthorization(
        { accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY },
        { method: "PUT", url, headers },
      );
      const res = await fetch(url, { method: "PUT", headers });
      const text = await res.text();
      if (res.status !== 201) throw new Error(`create container ${name}: ${res.status} ${text}`);
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await status;
      await collecting;
      await Deno.remove(workspace, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * An account SAS for the Blob service (signed version 2019-12-12), valid for
 * an hour: `permissions` such as `rwdlac`.
 */
export function accountSas(permissions: string): string {
  const expiry = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const fields = {
    sv: "2019-12-12",
    ss: "b",
    srt: "sco",
    sp: permissions,
    se: expiry,
    spr: "https,http",
  };
  const toSign = [
    AZURITE_ACCOUNT,
    fields.sp,
    fields.ss,
    fields.srt,
    "",
    fields.se,
    "",
    fields.spr,
    fields.sv,
    "",
  ].join("\n");
  const sig = createHmac("sha256", Buffer.from(AZURITE_KEY, "base64")).update(toSign).digest(
    "base64",
  );
  return new URLSearchParams({ ...fields, sig }).toString();
}

/**
 * A gateway bucket entry (YAML flow mapping) named `remote` over an Azurite
 * container; `extra` adds top-level entries and `options` more backend_options.
 */
export function azuriteBucket(
  endpoint: string,
  container = "backing",
  more: { readonly extra?: string; readonly options?: string } = {},
): string {
  return `{ name: remote, backend_type: az, anonymous_access: false${
    more.extra ? `, ${more.extra}` : ""
  }, backend_options: { endpoint: "${endpoint}", account_name: ${AZURITE_ACCOUNT}, container_name: ${container}, access_key: "${AZURITE_KEY}"${
    more.options ? `, ${more.options}` : ""
  } } }`;
}

/**
 * The az backend options of an Azurite container: Shared Key with the
 * development key unless `auth` says otherwise (`{ sas_token }`, `{}`).
 */
export function azuriteOptions(
  endpoint: string,
  container: string,
  auth: Readonly<Record<string, unknown>> = { access_key: AZURITE_KEY },
): AzOptions {
  return azOptionsOf({
    endpoint,
    account_name: AZURITE_ACCOUNT,
    container_name: container,
    ...auth,
  });
}
