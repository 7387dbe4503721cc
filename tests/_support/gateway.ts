/**
 * Launches the real gateway process (`deno run --allow-all main.ts`): the one
 * place tests, e2e suites and benches start it. The config is given as text
 * (written to a temp file) or a path; the process's stdout and stderr are
 * captured, dropped, inherited or (stdout) sent to a file; by default the call
 * returns once the gateway says it is listening.
 */

/** Where one of the process's output streams goes. */
export type OutputTarget = "capture" | "null" | "inherit";

/** Options of `launchGateway`. */
export interface LaunchOptions {
  /** The config as YAML text, written to a temp file that `stop()` removes. */
  readonly config?: string;
  /** A config file already on disk (ignored when `config` is given). */
  readonly configPath?: string;
  /** Environment variables added to this process's. */
  readonly env?: Readonly<Record<string, string>>;
  /** `--listen` value; `null` passes none (the config's `listen:` counts). @default "127.0.0.1:0" */
  readonly listen?: string | null;
  /** `--admin-listen` value (`"127.0.0.1:0"` for a free port); none when undefined. */
  readonly adminListen?: string;
  /** `--log-format` value; `null` passes none. @default "text" */
  readonly logFormat?: string | null;
  /** More command-line flags, after the others. */
  readonly args?: readonly string[];
  /** The checkout whose main.ts runs (also the working directory). @default this one */
  readonly root?: string;
  /** @default "capture" */
  readonly stdout?: OutputTarget | { readonly file: string };
  /** @default "capture" */
  readonly stderr?: OutputTarget;
  /** Raises the open-file limit (`ulimit -n`) before exec; the pid stays the gateway's. */
  readonly fileLimit?: number;
  /**
   * Returns once it listens: on the "listening on" line when stdout is
   * captured, else once `listen`'s port accepts connections. @default true
   */
  readonly waitUntilListening?: boolean;
  /** How long to wait for it to listen. @default 30_000 */
  readonly startTimeoutMs?: number;
}

/** A running gateway process. */
export interface LaunchedGateway extends AsyncDisposable {
  /** `http://127.0.0.1:PORT` (0 when not waited for and not known). */
  readonly url: string;
  readonly port: number;
  /** The admin listener's URL, when one was asked for and announced. */
  readonly adminUrl: string | undefined;
  /** The gateway's process id (for /proc measurements). */
  readonly pid: number;
  /** Everything captured from stdout and stderr so far, interleaved as it came. */
  logs(): string;
  /** Captured stdout alone. */
  stdout(): string;
  /** Captured stderr alone. */
  stderr(): string;
  /** Waits until the captured output matches `pattern` and returns it; throws after `timeoutMs`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends a signal to the process. */
  signal(sig: Deno.Signal): void;
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number>;
  /** SIGTERM (then SIGKILL after `killAfterMs`, when given), wait, remove the temp config. */
  stop(options?: { readonly killAfterMs?: number }): Promise<void>;
}

const ROOT = new URL("../../", import.meta.url).pathname;
const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)/;
const ADMIN_LISTENING = /admin listening on (http:\/\/127\.0\.0\.1:\d+)/;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The command line after `deno`: run main.ts with the flags the options ask for. */
function gatewayArgs(o: LaunchOptions, root: string, configPath: string | undefined): string[] {
  const listen = o.listen === undefined ? "127.0.0.1:0" : o.listen;
  const logFormat = o.logFormat === undefined ? "text" : o.logFormat;
  return [
    "run",
    "--allow-all",
    `${root}main.ts`,
    ...(configPath ? ["--config", configPath] : []),
    ...(listen !== null ? ["--listen", listen] : []),
    ...(logFormat !== null ? ["--log-format", logFormat] : []),
    ...(o.adminListen !== undefined ? ["--admin-listen", o.adminListen] : []),
    ...(o.args ?? []),
  ];
}

/** The program and arguments: deno itself, or a shell that sets limits or redirects, then execs. */
function commandLine(o: LaunchOptions, args: string[]): { cmd: string; args: string[] } {
  const file = typeof o.stdout === "object" ? o.stdout.file : undefined;
  if (o.fileLimit === undefined && file === undefined) return { cmd: Deno.execPath(), args };
  const limit = o.fileLimit === undefined
    ? ""
    : `ulimit -n ${o.fileLimit} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; `;
  const redirect = file === undefined ? "" : ' >"$BUCKETGATE_STDOUT_FILE"';
  return {
    cmd: "sh",
    args: ["-c", `${limit}exec "$@"${redirect}`, "sh", Deno.execPath(), ...args],
  };
}

function stdio(
  t: OutputTarget | { readonly file: string } | undefined,
): "piped" | "null" | "inherit" {
  if (t === undefined || t === "capture") return "piped";
  if (typeof t === "object") return "null";
  return t;
}

async function portAccepts(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.ConnectionRefused) return false;
    throw e;
  }
}

function portOf(listen: string | null | undefined): number | undefined {
  const m = /:(\d+)$/.exec(listen ?? "");
  return m && Number(m[1]) !== 0 ? Number(m[1]) : undefined;
}

/** Starts the gateway; see `LaunchOptions`. */
export async function launchGateway(options: LaunchOptions = {}): Promise<LaunchedGateway> {
  const root = options.root ? options.root.replace(/\/?$/, "/") : ROOT;
  let tempDir: string | undefined;
  let configPath = options.configPath;
  if (options.config !== undefined) {
    tempDir = await Deno.makeTempDir({ prefix: "bucketgate-gw-" });
    configPath = `${tempDir}/config.yaml`;
    await Deno.writeTextFile(configPath, options.config);
  }
  const line = commandLine(options, gatewayArgs(options, root, configPath));
  const file = typeof options.stdout === "object" ? options.stdout.file : undefined;
  const child = new Deno.Command(line.cmd, {
    args: line.args,
    cwd: root,
    env: { ...options.env, ...(file !== undefined ? { BUCKETGATE_STDOUT_FILE: file } : {}) },
    stdin: "null",
    stdout: stdio(options.stdout),
    stderr: stdio(options.stderr),
  }).spawn();
  let output = "";
  let outText = "";
  let errText = "";
  const collect = async (s: ReadableStream<Uint8Array> | null, isErr: boolean) => {
    if (!s) return;
    for await (const t of s.pipeThrough(new TextDecoderStream())) {
      output += t;
      if (isErr) errText += t;
      else outText += t;
    }
  };
  const collecting = Promise.all([
    collect(stdio(options.stdout) === "piped" ? child.stdout : null, false),
    collect(stdio(options.stderr) === "piped" ? child.stderr : null, true),
  ]).catch(() => {});
  let ended = false;
  const exited = child.status.then((s) => {
    ended = true;
    return s.code;
  });
  const removeTemp = async () => {
    if (tempDir) await Deno.remove(tempDir, { recursive: true }).catch(() => {});
  };
  const kill = (sig: Deno.Signal) => {
    try {
      child.kill(sig);
    } catch { /* already exited */ }
  };

  let port = portOf(options.listen) ?? 0;
  if (options.waitUntilListening ?? true) {
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    const captured = stdio(options.stdout) === "piped";
    for (;;) {
      if (captured) {
        const m = LISTENING.exec(output);
        if (m) {
          port = Number(m[1]);
          break;
        }
      } else if (port !== 0 && await portAccepts(port)) break;
      if (ended || Date.now() > deadline) {
        kill("SIGKILL");
        await exited;
        await collecting;
        await removeTemp();
        const why = ended ? "it exited" : "it did not listen in time";
        throw new Error(`Cannot start the gateway: ${why}:\n${output}`);
      }
      await sleep(50);
    }
  }
  if (options.adminListen !== undefined && stdio(options.stdout) === "piped") {
    const deadline = Date.now() + 10_000;
    while (!ADMIN_LISTENING.test(output) && !ended && Date.now() < deadline) await sleep(20);
  }

  const stop = async (o: { readonly killAfterMs?: number } = {}) => {
    kill("SIGTERM");
    const t = o.killAfterMs === undefined
      ? undefined
      : setTimeout(() => kill("SIGKILL"), o.killAfterMs);
    await exited;
    clearTimeout(t);
    await collecting;
    await removeTemp();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    adminUrl: ADMIN_LISTENING.exec(output)?.[1],
    pid: child.pid,
    logs: () => output,
    stdout: () => outText,
    stderr: () => errText,
    async waitForLog(pattern, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (Date.now() > deadline) {
          throw new Error(`no log output matching ${pattern} within ${timeoutMs} ms:\n${output}`);
        }
        await sleep(20);
      }
      return output;
    },
    signal: (sig) => child.kill(sig),
    exited,
    stop,
    [Symbol.asyncDispose]: () => stop(),
  };
}

/** Runs main.ts once to its end (`--help`, `--check-config`) and returns its exit code and output. */
export async function runGatewayCli(
  args: readonly string[],
  options: { readonly env?: Readonly<Record<string, string>>; readonly cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${ROOT}main.ts`, ...args],
    cwd: options.cwd ?? ROOT,
    env: { ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
