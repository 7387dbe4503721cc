/**
 * Starts s3rver, a Node S3 emulator that checks SigV4 signatures with its own
 * code, as a child process on a free port on 127.0.0.1 over a temp directory.
 *
 * The npm package `s3rver` (3.7.1, its last release) does not check SigV4 at
 * all: its authentication middleware says "Signature version 4 calculation is
 * unimplemented" and accepts any secret for a known access key. Its maintained
 * fork `@20minutes/s3rver` 5.0.0 computes the canonical request, string to
 * sign and signature and answers a mismatch with 403 SignatureDoesNotMatch, so
 * that is the one run here. The fork publishes no `bin/` script, so a one-line
 * launcher (`node -e`) starts it through its library API. It declares
 * `engines: node >= 24` and runs on Node 20 as far as these tests go.
 *
 * The package is installed on first use into a cache outside the repository
 * (`$HOME/.cache/bucketgate-test-tools`) with npm.
 */
import { testSigner } from "./signer.ts";
import { requireTool } from "./tools.ts";

/** s3rver's built-in account: the only key it knows. */
export const S3RVER_KEY = { id: "S3RVER", secret: "S3RVER" } as const;

const PACKAGE = "@20minutes/s3rver";
const VERSION = "5.0.0";

/** Where the package is installed. */
function toolsDir(): string {
  return `${Deno.env.get("HOME") ?? "/tmp"}/.cache/bucketgate-test-tools`;
}

function packageDir(): string {
  return `${toolsDir()}/node_modules/${PACKAGE}`;
}

/** A running s3rver. */
export interface S3rver {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Creates a bucket with a PUT signed by the AWS SDK's signer (not bucketgate's). */
  createBucket(name: string): Promise<void>;
  /** Stops the process and removes its data. */
  stop(): Promise<void>;
}

async function installedVersion(): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(await Deno.readTextFile(`${packageDir()}/package.json`));
    return typeof pkg.version === "string" ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The absolute path of a command on PATH. (Deno runs itself in Node mode when
 * a child named `node` is not on PATH; s3rver is meant to run on real Node.)
 */
async function which(cmd: string): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("sh", {
      args: ["-c", `command -v ${cmd}`],
      stdout: "piped",
      stderr: "null",
    }).output();
    const path = new TextDecoder().decode(out.stdout).trim();
    return out.success && path.startsWith("/") ? path : undefined;
  } catch {
    return undefined;
  }
}

let nodePath: string | undefined;

/** Installs the package into the cache unless it is there; one installer at a time. */
async function install(): Promise<string | undefined> {
  if (await installedVersion() === VERSION) return undefined;
  await Deno.mkdir(toolsDir(), { recursive: true });
  const lock = await Deno.open(`${toolsDir()}/.install-lock`, { create: true, write: true });
  try {
    await lock.lock(true);
    if (await installedVersion() === VERSION) return undefined;
    const out = await new Deno.Command("npm", {
      args: [
        "install",
        "--prefix",
        toolsDir(),
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        `${PACKAGE}@${VERSION}`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      return `npm install ${PACKAGE}@${VERSION} failed: ${new TextDecoder().decode(out.stderr)}`;
    }
    return await installedVersion() === VERSION ? undefined : "npm install left no package";
  } catch (e) {
    return `npm install ${PACKAGE}@${VERSION} failed: ${e}`;
  } finally {
    lock.close();
  }
}

/**
 * Why s3rver cannot run here, or undefined when it can (installing it when
 * missing); under CI=true, throws.
 */
export async function s3rverMissing(): Promise<string | undefined> {
  let problem: string | undefined;
  nodePath = await which("node");
  if (!nodePath) problem = "node not found";
  else if (!await which("npm")) problem = "npm not found";
  else problem = await install();
  return requireTool(problem === undefined ? undefined : `s3rver unavailable: ${problem}`);
}

// Starts the server on port 0 and writes the bound port (or the failure) to a file.
const LAUNCHER = `
const fs = require("node:fs");
const [pkg, dir, portFile] = process.argv.slice(1);
const report = (line) => fs.writeFileSync(portFile, line);
process.on("uncaughtException", (e) => { report("error: " + (e && e.stack || e)); process.exit(1); });
const S3rver = require(pkg);
new S3rver({ directory: dir, address: "127.0.0.1", port: 0, silent: true, vhostBuckets: false })
  .run()
  .then(({ port }) => report("port: " + port), (e) => { report("error: " + (e && e.stack || e)); process.exit(1); });
process.on("SIGTERM", () => process.exit(0));
`;

/** Starts s3rver (call `s3rverMissing` first) and waits until it listens. */
export async function startS3rver(): Promise<S3rver> {
  if (!nodePath) throw new Error("Cannot start s3rver: call s3rverMissing() first");
  const tmp = await Deno.makeTempDir({ prefix: "bucketgate-s3rver-" });
  const portFile = `${tmp}/port`;
  await Deno.mkdir(`${tmp}/data`);
  const child = new Deno.Command(nodePath, {
    // Its ListObjectsV2 continuation tokens use DES, which Node 17+ keeps in the legacy provider.
    args: ["--openssl-legacy-provider", "-e", LAUNCHER, packageDir(), `${tmp}/data`, portFile],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const deadline = Date.now() + 20_000;
  let port = 0;
  for (;;) {
    const line = await Deno.readTextFile(portFile).catch(() => "");
    const m = /^port: (\d+)$/.exec(line);
    if (m) {
      port = Number(m[1]);
      break;
    }
    if (line.startsWith("error:") || Date.now() > deadline) {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await child.status;
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      throw new Error(`s3rver did not start: ${line || "no port within 20 s"}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    async createBucket(name) {
      const signed = await testSigner(S3RVER_KEY).sign({
        method: "PUT",
        protocol: "http:",
        hostname: "127.0.0.1",
        port,
        path: `/${name}`,
        query: {},
        headers: { host: `127.0.0.1:${port}` },
      });
      const res = await fetch(`${endpoint}/${name}`, {
        method: "PUT",
        headers: signed.headers,
      });
      const text = await res.text();
      if (res.status !== 200) {
        throw new Error(`Cannot create bucket ${name} on s3rver: HTTP ${res.status} ${text}`);
      }
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* exited */ }
      await child.status;
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    },
  };
}
