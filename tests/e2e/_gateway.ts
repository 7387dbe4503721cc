/**
 * The real gateway process (`launchGateway`) on a free port over fs buckets in
 * a temp dir, and the clients end-to-end tests drive it with.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { ACTIONS } from "../../src/config/types.ts";
import { testSigner } from "../_support/signer.ts";
import { type LaunchedGateway, launchGateway } from "../_support/gateway.ts";
import { missingCommand } from "../_support/tools.ts";

/** Full-access development key. */
export const DEV = {
  id: "AKIDBUCKETGATEDEV001",
  secret: "bucketgate-dev-secret-do-not-use-in-production",
} as const;
/** Read-only key. */
export const READER = { id: "AKIDBUCKETGATEREAD01", secret: "reader-secret-0123456789" } as const;

/** A running gateway over the standard buckets (a `LaunchedGateway` plus its data directory). */
export interface Gateway extends LaunchedGateway {
  /** Holds one directory per bucket: public-data, private-uploads, readonly. */
  readonly dataDir: string;
}

/** Options of `startGateway`. */
export interface GatewayOptions {
  /** Environment variables added to the process's. */
  readonly env?: Readonly<Record<string, string>>;
  /** Top-level YAML lines appended to the config (e.g. a `roles:` section). */
  readonly extraConfig?: readonly string[];
  /**
   * Runs the process with its wall clock shifted, e.g. `"+16m"`, through
   * libfaketime preloaded (see `fakeTimeLibrary`). The `faketime` wrapper
   * command is not used: it forks, and SIGTERM would not reach the gateway.
   */
  readonly clockOffset?: string;
  /** More command-line flags (e.g. `["--log-level", "warn"]`). */
  readonly args?: readonly string[];
  /** `--admin-listen` value (`"127.0.0.1:0"`); the URL is then `adminUrl`. */
  readonly adminListen?: string;
  /**
   * The config entry (YAML flow mapping) of each standard bucket
   * (public-data, private-uploads, readonly). @default an fs bucket under `dataDir`
   */
  readonly bucketEntry?: (name: string, anonymous: boolean, dataDir: string) => string;
}

/** The config of `startGateway`: the standard buckets, `extraBuckets`, both keys, `extraConfig`. */
function standardConfig(
  dataDir: string,
  extraBuckets: readonly string[],
  options: GatewayOptions,
): string {
  const bucket = (name: string, anon: boolean) =>
    options.bucketEntry
      ? `  - ${options.bucketEntry(name, anon, dataDir)}`
      : `  - { name: ${name}, backend_type: fs, anonymous_access: ${anon}, backend_options: { root: ${dataDir}/${name} } }`;
  return [
    "listen: 127.0.0.1:0",
    "buckets:",
    bucket("public-data", true),
    bucket("private-uploads", false),
    bucket("readonly", false),
    ...extraBuckets.map((b) => `  - ${b}`),
    "credentials:",
    `  - { access_key_id: ${DEV.id}, secret_access_key: ${DEV.secret}, principal_name: dev,`,
    `      allowed_scopes: [{ bucket: "*", prefixes: [], actions: [${ACTIONS.join(", ")}] }] }`,
    `  - { access_key_id: ${READER.id}, secret_access_key: ${READER.secret}, principal_name: reader,`,
    `      allowed_scopes: [{ bucket: "*", prefixes: [], actions: [get_object, head_object, list_bucket] }] }`,
    ...(options.extraConfig ?? []),
  ].join("\n");
}

/** The environment of the process: `env`, plus libfaketime's for `clockOffset`. */
async function gatewayEnv(options: GatewayOptions): Promise<Record<string, string>> {
  const env: Record<string, string> = { ...options.env };
  if (options.clockOffset) {
    const lib = await fakeTimeLibrary();
    if (!lib) throw new Error("libfaketime is not installed");
    Object.assign(env, {
      LD_PRELOAD: lib,
      FAKETIME: options.clockOffset,
      DONT_FAKE_MONOTONIC: "1",
    });
  }
  return env;
}

/** `--workers N` when BUCKETGATE_E2E_WORKERS=N asks every gateway of a suite to run N workers. */
function workerArgs(args: readonly string[] | undefined): string[] {
  const workers = Deno.env.get("BUCKETGATE_E2E_WORKERS");
  return workers && !args?.includes("--workers") ? ["--workers", workers] : [];
}

/**
 * Starts a gateway (`launchGateway`) over the standard buckets in a fresh data
 * directory (config at `dataDir/config.yaml`); `extraBuckets` are flow-style
 * bucket entries added to the config. `stop()` also removes the directory.
 */
export async function startGateway(
  extraBuckets: readonly string[] = [],
  options: GatewayOptions = {},
): Promise<Gateway> {
  const dataDir = await Deno.makeTempDir({ prefix: "bucketgate-e2e-" });
  const removeData = () => Deno.remove(dataDir, { recursive: true }).catch(() => {});
  let launched: LaunchedGateway;
  try {
    await Deno.writeTextFile(
      `${dataDir}/config.yaml`,
      standardConfig(dataDir, extraBuckets, options),
    );
    for (const b of ["public-data", "private-uploads", "readonly"]) {
      await Deno.mkdir(`${dataDir}/${b}`);
    }
    launched = await launchGateway({
      configPath: `${dataDir}/config.yaml`,
      env: await gatewayEnv(options),
      ...(options.adminListen !== undefined ? { adminListen: options.adminListen } : {}),
      args: [...workerArgs(options.args), ...(options.args ?? [])],
    });
  } catch (e) {
    await removeData();
    throw e;
  }
  const stop = async () => {
    await launched.stop();
    await removeData();
  };
  return { ...launched, dataDir, stop, [Symbol.asyncDispose]: stop };
}

/**
 * Sends SIGHUP and waits (up to 10 s) for the gateway's log to say how the
 * reload went (`expect`); the log written since the signal.
 */
export async function reloadGateway(
  gw: Pick<LaunchedGateway, "logs" | "signal">,
  expect: RegExp,
): Promise<string> {
  const before = gw.logs().length;
  gw.signal("SIGHUP");
  const deadline = Date.now() + 10_000;
  while (!expect.test(gw.logs().slice(before))) {
    if (Date.now() > deadline) throw new Error(`no ${expect} after SIGHUP:\n${gw.logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return gw.logs().slice(before);
}

/**
 * Signs a request for a raw path (with a Content-Length) and sends it byte for
 * byte over a socket, the body in pieces `pieceDelayMs` apart; returns the raw
 * answer. For what fetch would change: `..` segments, slow bodies.
 */
export async function rawSignedExchange(
  port: number,
  r: { method: string; rawPath: string; pieces: Uint8Array[]; pieceDelayMs?: number },
): Promise<string> {
  const length = r.pieces.reduce((n, p) => n + p.length, 0);
  const signed = await signedHeaders(port, r.method, r.rawPath, {}, {
    "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    "content-length": String(length),
  });
  const head = [`${r.method} ${r.rawPath} HTTP/1.1`];
  for (const [k, v] of Object.entries(signed)) head.push(`${k}: ${v}`);
  head.push("connection: close", "", "");
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(head.join("\r\n")));
    for (const piece of r.pieces) {
      if (r.pieceDelayMs) await new Promise((ok) => setTimeout(ok, r.pieceDelayMs));
      let at = 0;
      while (at < piece.length) at += await conn.write(piece.subarray(at));
    }
    let answer = "";
    const buf = new Uint8Array(8192);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      answer += new TextDecoder().decode(buf.subarray(0, n));
    }
    return answer;
  } finally {
    conn.close();
  }
}

/** Options of `signedFetch`. */
export interface SignedFetchOptions {
  readonly body?: Uint8Array | string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  /** An HTTP client of its own (e.g. one that keeps no idle connections). */
  readonly client?: Deno.HttpClient;
}

/**
 * The headers of a request to the gateway on `port`, signed (SigV4, the AWS
 * SDK's signer) with `key` (the development key unless given): `host` and
 * `headers` plus the signature's own.
 */
export async function signedHeaders(
  port: number,
  method: string,
  path: string,
  query: Record<string, string>,
  headers: Record<string, string>,
  body?: Uint8Array | string,
  key: { readonly id: string; readonly secret: string } = DEV,
): Promise<Record<string, string>> {
  const s = await testSigner(key).sign({
    method,
    protocol: "http:",
    hostname: "127.0.0.1",
    port,
    path,
    query,
    headers: { host: `127.0.0.1:${port}`, ...headers },
    ...(body !== undefined ? { body } : {}),
  });
  return s.headers;
}

/** Sends a request to the gateway, signed (SigV4, the AWS SDK's signer) with the development key. */
export async function signedFetch(
  gw: Gateway,
  method: string,
  path: string,
  opts: SignedFetchOptions = {},
): Promise<Response> {
  const query = opts.query ?? {};
  const headers = await signedHeaders(gw.port, method, path, query, opts.headers ?? {}, opts.body);
  const qs = new URLSearchParams(query).toString();
  return await fetch(`${gw.url}${path}${qs ? "?" + qs : ""}`, {
    method,
    headers,
    ...(opts.client ? { client: opts.client } : {}),
    ...(opts.body !== undefined ? { body: opts.body as BodyInit } : {}),
  });
}

/** Whether a command exists; under CI=true a missing tool fails the test instead of skipping it. */
export async function haveTool(name: string): Promise<boolean> {
  return (await missingCommand(name)) === undefined;
}

/** Runs a command; returns its exit code and output. */
export async function run(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; clearEnv?: boolean; cwd?: string; stdin?: Uint8Array } =
    {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(cmd, {
    args,
    ...(options.env ? { env: options.env } : {}),
    ...(options.clearEnv ? { clearEnv: true } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin) {
    const w = child.stdin.getWriter();
    await w.write(options.stdin);
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Lists every file under a directory (relative paths), skipping bucketgate's internal folder. */
export async function filesUnder(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${rel}`)) {
    if (rel === "" && e.name === ".bucketgate") continue;
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await filesUnder(dir, p));
    else out.push(p);
  }
  return out.sort();
}

/**
 * Runs aws-cli (`bin`, default `aws`) against the gateway with a key, in a
 * private HOME: region us-east-1, SigV4 presigning, multipart at 8 MiB.
 */
export async function awsCli(
  gw: Gateway,
  args: string[],
  options: { readonly bin?: string; readonly key?: { id: string; secret: string } } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = `${gw.dataDir}/home`;
  const key = options.key ?? DEV;
  await Deno.mkdir(`${home}/.aws`, { recursive: true });
  await Deno.writeTextFile(
    `${home}/.aws/config`,
    "[default]\nregion = us-east-1\ns3 =\n    signature_version = s3v4\n    multipart_threshold = 8MB\n    multipart_chunksize = 8MB\n",
  );
  return await run(options.bin ?? "aws", ["--endpoint-url", gw.url, ...args], {
    env: {
      HOME: home,
      AWS_CONFIG_FILE: `${home}/.aws/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${home}/.aws/none`,
      AWS_ACCESS_KEY_ID: key.id,
      AWS_SECRET_ACCESS_KEY: key.secret,
      AWS_DEFAULT_REGION: "us-east-1",
      PATH: Deno.env.get("PATH") ?? "",
      AWS_PAGER: "",
    },
  });
}

/** A JS SDK v3 S3 client for the gateway, path-style, with the development key. */
export function sdkClient(gw: Gateway): S3Client {
  return new S3Client({
    endpoint: gw.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: DEV.id, secretAccessKey: DEV.secret },
  });
}

/** Path of Debian's libfaketime, or undefined when it is not installed. */
export async function fakeTimeLibrary(): Promise<string | undefined> {
  try {
    for await (const arch of Deno.readDir("/usr/lib")) {
      const path = `/usr/lib/${arch.name}/faketime/libfaketime.so.1`;
      if (await Deno.stat(path).then(() => true, () => false)) return path;
    }
  } catch { /* no /usr/lib */ }
  return undefined;
}
