/**
 * bucketgate as a contender: the real process (`deno run main.ts`) with a
 * bench config, an OIDC issuer over TLS for its STS, and the three bucket
 * kinds the harness compares — an `s3` backend in front of the nginx origin
 * (`skip_signature: true`), anonymous and authenticated, and an `fs` backend
 * over the origin's own directory.
 */
import { Buffer } from "node:buffer";
import { ACTIONS } from "../src/config/types.ts";
import { makeCerts } from "../tests/_support/certs.ts";
import { type IssuerProcess, startIssuerProcess } from "../tests/_support/oidc_issuer.ts";
import {
  type LaunchedGateway,
  launchGateway,
  type LaunchOptions,
} from "../tests/_support/gateway.ts";

/** The bench's access key (full access to every bucket). */
export const BENCH_KEY = {
  id: "AKIDBUCKETGATEBENCH1",
  secret: "bucketgate-bench-secret-0123456789",
} as const;
/** BENCH_KEY as an in-process `authenticate` takes it (bench/auth_ab.ts, bench/auth_paired.ts). */
export const BENCH_CREDENTIAL = {
  accessKeyId: BENCH_KEY.id,
  secretAccessKey: BENCH_KEY.secret,
  principalName: "bench",
  enabled: true,
  allowedScopes: [],
};
/** Role of the STS contender. */
export const ROLE_ARN = "arn:aws:iam::123456789012:role/bench";
const AUDIENCE = "sts.bucketgate.bench";

/** Client-visible buckets. */
export const BUCKETS = {
  /** s3 backend → nginx origin, anonymous reads. */
  originAnon: "origin-anon",
  /** s3 backend → nginx origin, SigV4 or STS credentials. */
  origin: "origin",
  /** fs backend over the origin's directory. */
  fs: "local-fs",
} as const;

/** A running gateway with its issuer. */
export interface BenchGateway {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** A web identity token the role trusts (valid for an hour). */
  readonly jwt: string;
  /** Calls AssumeRoleWithWebIdentity once. */
  mint(): Promise<{ id: string; secret: string; token: string }>;
  /**
   * Stops the process and starts a fresh one (same config, port and session
   * key: minted credentials stay valid), for memory figures that do not
   * depend on what ran before.
   */
  restart(): Promise<void>;
  /** What the process printed on stderr. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Options of `startBenchGateway`. */
export interface BenchGatewayOptions {
  /** Temp dir for config and certificates. */
  readonly dir: string;
  readonly port: number;
  readonly originPort: number;
  /** The origin's bucket directory (the fs bucket's root). */
  readonly originBucketDir: string;
  /** The origin's bucket name. */
  readonly originBucket: string;
  /** `--log-level` of the gateway. @default "info" */
  readonly logLevel?: string;
  /** Where the access log (stdout) goes. @default "/dev/null" */
  readonly accessLog?: string;
  /** `--workers N`: isolates serving the port together (reusePort). @default 1 */
  readonly workers?: number;
}

/** Starts the issuer and the gateway (its access log to /dev/null unless told otherwise). */
export async function startBenchGateway(o: BenchGatewayOptions): Promise<BenchGateway> {
  const certs = await makeCerts(o.dir);
  const issuer: IssuerProcess = await startIssuerProcess(certs);
  let child: LaunchedGateway | undefined;
  try {
    const origin =
      `{ endpoint: "http://127.0.0.1:${o.originPort}", bucket_name: ${o.originBucket}, ` +
      `region: us-east-1, skip_signature: true, request_timeout_secs: 900 }`;
    const all = `[${ACTIONS.join(", ")}]`;
    const config = [
      `listen: 127.0.0.1:${o.port}`,
      "region: us-east-1",
      "buckets:",
      `  - { name: ${BUCKETS.originAnon}, backend_type: s3, anonymous_access: true, backend_options: ${origin} }`,
      `  - { name: ${BUCKETS.origin}, backend_type: s3, anonymous_access: false, backend_options: ${origin} }`,
      `  - { name: ${BUCKETS.fs}, backend_type: fs, anonymous_access: false, backend_options: { root: "${o.originBucketDir}" } }`,
      "roles:",
      "  - role_id: bench",
      `    trusted_oidc_issuers: [${issuer.issuer}]`,
      `    required_audiences: [${AUDIENCE}]`,
      "    max_session_duration_secs: 43200",
      `    allowed_scopes: [{ bucket: "*", prefixes: [], actions: ${all} }]`,
      "credentials:",
      `  - { access_key_id: ${BENCH_KEY.id}, secret_access_key: ${BENCH_KEY.secret}, principal_name: bench,`,
      `      allowed_scopes: [{ bucket: "*", prefixes: [], actions: ${all} }] }`,
    ].join("\n");
    await Deno.writeTextFile(`${o.dir}/gateway.yaml`, config);
    const sessionKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
    const launch: LaunchOptions = {
      configPath: `${o.dir}/gateway.yaml`,
      listen: `127.0.0.1:${o.port}`,
      logFormat: null,
      args: [
        "--log-level",
        o.logLevel ?? "info",
        ...(o.workers && o.workers > 1 ? ["--workers", String(o.workers)] : []),
      ],
      env: { DENO_CERT: certs.caFile, SESSION_TOKEN_KEY: sessionKey },
      // 1,000 slow clients need 2,000+ descriptors.
      fileLimit: 65536,
      stdout: { file: o.accessLog ?? "/dev/null" },
      stderr: "capture",
    };
    let err = "";
    const spawn = async () => {
      child = await launchGateway(launch);
    };
    const kill = async () => {
      const proc = child;
      if (!proc) return;
      await proc.stop({ killAfterMs: 10_000 });
      err += proc.stderr();
      child = undefined;
    };
    await spawn();
    const jwt = await issuer.token({ audience: AUDIENCE, sub: "bench", ttl: "3600" });
    const url = `http://127.0.0.1:${o.port}`;
    return {
      url,
      port: o.port,
      get pid() {
        return child?.pid ?? 0;
      },
      jwt,
      mint: () => assumeRole(url, jwt),
      stderr: () => err + (child?.stderr() ?? ""),
      async restart() {
        await kill();
        await spawn();
      },
      async stop() {
        await kill();
        await issuer.stop();
      },
    };
  } catch (e) {
    await child?.stop({ killAfterMs: 0 });
    await issuer.stop();
    throw e;
  }
}

/** The form body of an AssumeRoleWithWebIdentity call. */
export function assumeRoleBody(jwt: string, sessionName = "bench"): string {
  return new URLSearchParams({
    Action: "AssumeRoleWithWebIdentity",
    Version: "2011-06-15",
    RoleArn: ROLE_ARN,
    RoleSessionName: sessionName,
    WebIdentityToken: jwt,
    DurationSeconds: "43200",
  }).toString();
}

/** Mints temporary credentials through the gateway's STS. */
export async function assumeRole(
  url: string,
  jwt: string,
): Promise<{ id: string; secret: string; token: string }> {
  const res = await fetch(`${url}/`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: assumeRoleBody(jwt),
  });
  const xml = await res.text();
  const get = (tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)?.[1];
  const id = get("AccessKeyId"), secret = get("SecretAccessKey"), token = get("SessionToken");
  if (!res.ok || !id || !secret || !token) {
    throw new Error(`Cannot mint STS credentials: ${res.status} ${xml}`);
  }
  return { id, secret, token };
}
