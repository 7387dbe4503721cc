// deno-lint-ignore-file no-console -- main.ts is the process edge: the one module that prints.
/**
 * bucketgate's edge: flags, environment, files, Deno.serve, signals. The only
 * module that touches the process; everything it serves is `createApp`.
 */
import { parseArgs } from "node:util";
import type { AccessLogEntry } from "./src/access_log.ts";
import { type AppHandler, createApp, type InFlight } from "./src/app.ts";
import { parseSessionKey, type SessionKeys } from "./src/auth/session_token.ts";
import { createSigningKeyCache } from "./src/sigv4/signing_key.ts";
import type { Backend } from "./src/backends/backend.ts";
import {
  backendOptionProblems,
  createBackend,
  OIDC_ISSUER_MISSING,
} from "./src/backends/factory.ts";
import { systemClock } from "./src/clock.ts";
import { formatProblems } from "./src/config/format.ts";
import { parseConfig } from "./src/config/load.ts";
import type { Config, ConfigProblem } from "./src/config/types.ts";
import { createJwksCache } from "./src/sts/jwks.ts";
import { ProxyStreamError } from "./src/errors.ts";
import { createOidcCredentials, type OidcCredentials } from "./src/oidc/backend_auth.ts";
import { trustCertificates } from "./src/backends/s3/http.ts";
import { missingIssuerProblems, readOidcProvider } from "./src/oidc/provider_env.ts";
import { VERSION } from "./src/version.ts";
import { createLineWriter } from "./src/line_writer.ts";
import { accessLogJson, accessLogText } from "./src/access_log_format.ts";
import { createAdminHandler } from "./src/admin/admin.ts";
import { createMetrics } from "./src/admin/metrics.ts";
import { accessLevel, enabled, isLogLevel, LOG_LEVELS, type LogLevel } from "./src/log_level.ts";

const EMBEDDED_CONFIG = new URL("./config.yaml", import.meta.url);

const HELP = `bucketgate ${VERSION}: an S3-compatible gateway

Usage: bucketgate [options]

Options:
  --config PATH         config file (default ./config.yaml, else the embedded default)
  --listen HOST:PORT    address to listen on (default from config, else 127.0.0.1:8080)
  --domain DOMAIN       enable virtual-hosted style for <bucket>.DOMAIN
  --check-config        validate the config, print every problem, exit 1 or 0
  --admin-listen [HOST:]PORT  serve /healthz, /readyz and /metrics there (default
                        off; host 127.0.0.1 when only a port is given; no
                        authentication: keep it on 127.0.0.1 or a private network)
  --log-format json|text  access-log format (default json)
  --log-level info|warn|error  info: every request; warn: only 4xx/5xx and
                        warnings; error: only 5xx and errors (default info)
  --version             print the version
  --help                print this help

Environment:
  SESSION_TOKEN_KEY     base64 of 32 random bytes (openssl rand -base64 32): turns on
                        STS AssumeRoleWithWebIdentity and seals its session tokens
  SESSION_TOKEN_KEY_PREVIOUS  the key before a rotation, still accepted for opening
  DENO_CERT             a PEM CA bundle to trust (private OIDC issuers, stores, STS)
  OIDC_PROVIDER_KEY     a PEM RSA private key (PKCS#1 or PKCS#8): with
  OIDC_PROVIDER_ISSUER  (this gateway's public URL) makes bucketgate an OIDC issuer
                        for auth_type: oidc buckets
  OIDC_PROVIDER_KEY_NEXT  the next key, published in the JWKS ahead of a rotation
  and any \${VAR} the config names.`;

interface Flags {
  readonly config?: string;
  readonly listen?: string;
  readonly domain?: string;
  readonly adminListen?: string;
  readonly checkConfig: boolean;
  readonly logFormat: "json" | "text";
  readonly logLevel: LogLevel;
}

function fail(message: string): never {
  console.error(`bucketgate: ${message}`);
  Deno.exit(2);
}

async function readFlags(args: string[]): Promise<Flags> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        config: { type: "string" },
        listen: { type: "string" },
        domain: { type: "string" },
        "check-config": { type: "boolean", default: false },
        "admin-listen": { type: "string" },
        "log-format": { type: "string", default: "json" },
        "log-level": { type: "string", default: "info" },
        version: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    fail(`${e instanceof Error ? e.message : String(e)} (see --help)`);
  }
  const v = parsed.values;
  if (v.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  if (v.version) {
    console.log(`bucketgate ${VERSION} (commit ${await commitId()})`);
    Deno.exit(0);
  }
  const logFormat = v["log-format"];
  if (logFormat !== "json" && logFormat !== "text") fail("--log-format must be json or text");
  const logLevel = v["log-level"] ?? "info";
  if (!isLogLevel(logLevel)) fail(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);
  return {
    ...(v.config !== undefined ? { config: v.config } : {}),
    ...(v.listen !== undefined ? { listen: v.listen } : {}),
    ...(v.domain !== undefined ? { domain: v.domain } : {}),
    ...(v["admin-listen"] !== undefined
      ? {
        adminListen: /^\d+$/.test(v["admin-listen"])
          ? `127.0.0.1:${v["admin-listen"]}`
          : v["admin-listen"],
      }
      : {}),
    checkConfig: v["check-config"] ?? false,
    logFormat,
    logLevel,
  };
}

/**
 * The commit this program was built from: a checkout's `.git`, else the
 * `dist/COMMIT` that `deno task compile` writes and embeds, else "unknown".
 */
async function commitId(): Promise<string> {
  const read = (url: URL) => Deno.readTextFile(url).then((t) => t.trim(), () => undefined);
  const git = new URL("./.git/", import.meta.url);
  const head = await read(new URL("HEAD", git));
  if (head && !head.startsWith("ref: ")) return head.slice(0, 12);
  if (head) {
    const ref = head.slice(5);
    const loose = await read(new URL(ref, git));
    if (loose) return loose.slice(0, 12);
    const packed = (await read(new URL("packed-refs", git)))?.split("\n")
      .find((l) => l.endsWith(` ${ref}`));
    if (packed) return packed.slice(0, 12);
  }
  return await read(new URL("./dist/COMMIT", import.meta.url)) ?? "unknown";
}

interface Source {
  readonly name: string;
  readonly text: string;
}

async function readConfigSource(path: string | undefined): Promise<Source> {
  if (path !== undefined) return { name: path, text: await Deno.readTextFile(path) };
  try {
    return { name: "config.yaml", text: await Deno.readTextFile("config.yaml") };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return { name: "(embedded config.yaml)", text: await Deno.readTextFile(EMBEDDED_CONFIG) };
}

function envLookup(name: string): string | undefined {
  return Deno.env.get(name);
}

type Loaded = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

async function loadConfig(flags: Flags): Promise<{ source: Source; loaded: Loaded }> {
  let source: Source;
  try {
    source = await readConfigSource(flags.config);
  } catch (e) {
    // At start this ends the process; on SIGHUP the old config stays.
    const message = `cannot read the file: ${e instanceof Error ? e.message : String(e)}`;
    return {
      source: { name: flags.config ?? "config.yaml", text: "" },
      loaded: { ok: false, problems: [{ path: "", message }] },
    };
  }
  const parsed = parseConfig(source.text, envLookup, { backendOptionProblems });
  if (!parsed.ok) return { source, loaded: { ok: false, problems: parsed.error } };
  let config = parsed.value;
  if (flags.listen) config = { ...config, listen: flags.listen };
  if (flags.domain) config = { ...config, domain: flags.domain };
  return { source, loaded: { ok: true, config } };
}

/** Reads SESSION_TOKEN_KEY (and the previous key); a problem list when malformed. */
function readSessionKeys(): SessionKeys | undefined | ConfigProblem[] {
  const current = Deno.env.get("SESSION_TOKEN_KEY");
  const previous = Deno.env.get("SESSION_TOKEN_KEY_PREVIOUS");
  if (!current) {
    return previous
      ? [{ path: "SESSION_TOKEN_KEY_PREVIOUS", message: "is set but SESSION_TOKEN_KEY is not" }]
      : undefined;
  }
  const problems: ConfigProblem[] = [];
  const c = parseSessionKey("SESSION_TOKEN_KEY", current);
  if (!c.ok) problems.push({ path: "SESSION_TOKEN_KEY", message: c.error });
  const p = previous ? parseSessionKey("SESSION_TOKEN_KEY_PREVIOUS", previous) : undefined;
  if (p && !p.ok) problems.push({ path: "SESSION_TOKEN_KEY_PREVIOUS", message: p.error });
  if (!c.ok || (p && !p.ok)) return problems;
  return { current: c.value, ...(p?.ok ? { previous: p.value } : {}) };
}

function buildBackends(
  config: Config,
  oidcCredentials: OidcCredentials | undefined,
): Map<string, Backend> | ConfigProblem[] {
  const backends = new Map<string, Backend>();
  const problems: ConfigProblem[] = [];
  config.buckets.forEach((b, i) => {
    const made = createBackend(b, oidcCredentials ? { oidcCredentials } : {});
    if (made.ok) backends.set(b.name, made.value);
    else problems.push({ path: `buckets[${i}]`, message: made.error.message });
  });
  return problems.length > 0 ? problems : backends;
}

function makeLogger(format: "json" | "text", level: LogLevel): (e: AccessLogEntry) => void {
  const print = formatter(format);
  return (e) => {
    if (enabled(level, accessLevel(e))) print(e);
  };
}

/** The access log's stdout: lines buffered to the end of each event-loop turn. */
const accessOut = createLineWriter((b) => Deno.stdout.writeSync(b));
globalThis.addEventListener("unload", () => accessOut.flush());

function formatter(format: "json" | "text"): (e: AccessLogEntry) => void {
  const line = format === "json" ? accessLogJson : accessLogText;
  return (e) => accessOut.write(line(e));
}

function splitListen(listen: string): { hostname: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(listen);
  if (!m) fail(`listen address must be HOST:PORT, got ${listen}`);
  const port = Number(m[2]);
  if (port > 65535) fail(`listen port out of range: ${listen}`);
  return { hostname: m[1]!.replace(/^\[|\]$/g, ""), port };
}

async function main(): Promise<void> {
  const flags = await readFlags(Deno.args);
  const { source, loaded } = await loadConfig(flags);
  if (!loaded.ok) {
    console.error(formatProblems(loaded.problems, source.name));
    if (flags.checkConfig) Deno.exit(1);
    fail(`${source.name}: ${loaded.problems.length} problem(s); not starting`);
  }
  const sessionKeys = readSessionKeys();
  const oidcIssuer = await readOidcProvider(envLookup, systemClock);
  if (Array.isArray(sessionKeys) || Array.isArray(oidcIssuer)) {
    const problems = [
      ...(Array.isArray(sessionKeys) ? sessionKeys : []),
      ...(Array.isArray(oidcIssuer) ? oidcIssuer : []),
    ];
    console.error(formatProblems(problems, "environment"));
    if (flags.checkConfig) Deno.exit(1);
    fail("not starting");
  }
  const keys = sessionKeys;
  const issuer = oidcIssuer;
  const orphans = issuer ? [] : missingIssuerProblems(loaded.config, OIDC_ISSUER_MISSING);
  if (orphans.length > 0) {
    console.error(formatProblems(orphans, source.name));
    if (flags.checkConfig) Deno.exit(1);
    fail(`${source.name}: ${orphans.length} problem(s); not starting`);
  }
  if (flags.checkConfig) {
    console.log(`${source.name}: OK (${loaded.config.buckets.length} buckets)`);
    Deno.exit(0);
  }
  // fetch trusts DENO_CERT itself; streamed uploads go through node:https, which is told here.
  const extraCa = Deno.env.get("DENO_CERT");
  if (extraCa) {
    try {
      trustCertificates(await Deno.readTextFile(extraCa));
    } catch (e) {
      fail(`DENO_CERT: cannot read ${extraCa}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const print = makeLogger(flags.logFormat, flags.logLevel);
  const metrics = createMetrics();
  const warn = (message: string) => {
    if (enabled(flags.logLevel, "warn")) console.error(message);
  };
  const signingKeys = createSigningKeyCache();
  const jwks = createJwksCache({
    clock: systemClock,
    onFetch(issuer, outcome, detail) {
      metrics.jwksFetch(outcome === "error" ? "error" : "ok");
      if (outcome === "error") warn(`JWKS fetch for ${issuer} failed: ${detail}`);
    },
  });
  const oidcCredentials = issuer
    ? createOidcCredentials({
      issuer,
      clock: systemClock,
      fetch: globalThis.fetch,
      onExchange: (outcome) => metrics.credentialExchange(outcome),
      onFailure(e, retryInMs) {
        warn(`backend credentials: ${String(e.detail ?? e.message)}; next try in ${retryInMs} ms`);
      },
    })
    : undefined;
  // Counted by every app this process builds, so a reload keeps the count.
  const inFlight: InFlight = { count: 0 };
  /** A config made ready to serve: its handler and its backends. */
  type Serving = { handler: AppHandler; backends: ReadonlyMap<string, Backend> };
  const build = (config: Config): Serving | ConfigProblem[] => {
    const backends = buildBackends(config, oidcCredentials);
    if (Array.isArray(backends)) return backends;
    // Each config's app labels its metrics with that config's bucket names.
    const observe = metrics.observer(config.buckets.map((b) => b.name));
    const handler = createApp({
      config,
      backends,
      clock: systemClock,
      log(e) {
        observe(e);
        print(e);
      },
      signingKeys,
      jwks,
      ...(keys ? { sessionKeys: keys } : {}),
      ...(issuer ? { oidcIssuer: issuer } : {}),
      inFlight,
    });
    return { handler, backends };
  };
  const first = build(loaded.config);
  if (Array.isArray(first)) {
    console.error(formatProblems(first, source.name));
    fail("not starting");
  }
  let serving: Serving = first;
  let draining = false;

  const { hostname, port } = splitListen(loaded.config.listen);
  const server = Deno.serve({
    hostname,
    port,
    // Reached only by a response body that fails after its head was sent (a
    // download cut for an idle reader, a backend that broke off): one line
    // instead of Deno's stack trace; the client already has its status.
    onError(e) {
      const what = e instanceof ProxyStreamError
        ? `${e.proxy.kind}: ${e.message}`
        : e instanceof Error
        ? `${e.name}: ${e.message}`
        : String(e);
      warn(`response body failed: ${what}`);
      return new Response(null, { status: 500 });
    },
    onListen(addr) {
      const names = loaded.config.buckets.map((b) => b.name).join(", ");
      const sts = keys ? "STS on" : "STS off: SESSION_TOKEN_KEY not set";
      console.log(
        `bucketgate ${VERSION} listening on http://${addr.hostname}:${addr.port} (buckets: ${names}; ${sts})`,
      );
    },
  }, async (req, info) => {
    if (draining) {
      await req.body?.cancel();
      return new Response("shutting down\n", { status: 503, headers: { connection: "close" } });
    }
    return await serving.handler(req, info);
  });

  Deno.addSignalListener("SIGHUP", async () => {
    const { source: s, loaded: l } = await loadConfig(flags);
    if (!l.ok) {
      console.error(
        `reload refused; keeping the old config:\n${formatProblems(l.problems, s.name)}`,
      );
      return;
    }
    const next = build(l.config);
    if (Array.isArray(next)) {
      console.error(`reload refused; keeping the old config:\n${formatProblems(next, s.name)}`);
      return;
    }
    serving = next;
    if (enabled(flags.logLevel, "info")) console.error(`reloaded ${s.name}`);
  });

  const admin = flags.adminListen
    ? Deno.serve(
      {
        ...splitListen(flags.adminListen),
        onListen(addr) {
          console.log(`admin listening on http://${addr.hostname}:${addr.port}`);
        },
      },
      createAdminHandler({
        metrics,
        backends: () => serving.backends,
        inFlight: () => inFlight.count,
      }),
    )
    : undefined;

  const stop = async () => {
    if (draining) return;
    draining = true;
    const deadline = Date.now() + 30_000;
    while (inFlight.count > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all([server.shutdown(), admin?.shutdown()]);
    accessOut.flush();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  await server.finished;
}

if (import.meta.main) await main();
