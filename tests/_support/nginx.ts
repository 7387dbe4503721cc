/**
 * A private nginx for tests and benches: its own prefix directory, pid file,
 * error log and temp directories, so it needs no system configuration and
 * leaves nothing behind outside `dir`.
 */

/** A running nginx. */
export interface NginxProcess {
  /** The master's process id. */
  readonly pid: number;
  /** Stops it (`nginx -s stop`, SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/** The main-context lines of a private instance: workers, logs and pid under `dir`. */
export function nginxMain(dir: string, workers = 1): string {
  return `
${Deno.uid() === 0 ? "user root;" : ""}
worker_processes ${workers};
worker_rlimit_nofile 65536;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 16384; }
`;
}

/** The http-context lines that keep every temp file under `dir`. */
export function nginxTemps(dir: string): string {
  return ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((t) => `  ${t}_temp_path ${dir}/${t};`)
    .join("\n");
}

async function nginx(dir: string, extra: readonly string[] = []) {
  const out = await new Deno.Command("nginx", {
    args: ["-c", `${dir}/nginx.conf`, "-p", dir, "-e", `${dir}/error.log`, ...extra],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

async function waitForPort(port: number, deadline: number): Promise<void> {
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch (e) {
      if (!(e instanceof Deno.errors.ConnectionRefused) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Writes `conf` as `dir/nginx.conf`, starts nginx on it and waits until `ports` accept. */
export async function startNginx(
  dir: string,
  conf: string,
  ports: readonly number[],
): Promise<NginxProcess> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/nginx.conf`, conf);
  const r = await nginx(dir);
  if (r.code !== 0) throw new Error(`Cannot start nginx (${dir}): ${r.stderr}`);
  const deadline = Date.now() + 30_000;
  for (const port of ports) await waitForPort(port, deadline);
  const pid = Number((await Deno.readTextFile(`${dir}/nginx.pid`)).trim());
  return {
    pid,
    async stop() {
      await nginx(dir, ["-s", "stop"]);
      for (let i = 0; i < 100; i++) {
        try {
          Deno.kill(pid, "SIGCONT");
        } catch {
          return; // gone
        }
        await new Promise((ok) => setTimeout(ok, 50));
      }
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* gone */ }
    },
  };
}

/** The nginx config bucketgate ships, which tests run as it is but for the substitutions below. */
export const SHIPPED_CONF = new URL("../../deploy/nginx/bucketgate.conf", import.meta.url);

/** Replaces `from` with `to` in `conf`, which must hold `from` exactly once. */
export function substituteOnce(conf: string, from: string, to: string): string {
  const at = conf.indexOf(from);
  if (at < 0 || conf.indexOf(from, at + 1) >= 0) {
    throw new Error(`the shipped config must hold '${from}' exactly once`);
  }
  return conf.slice(0, at) + to + conf.slice(at + from.length);
}

/**
 * The shipped server block with the gateways on `upstreamPorts` in its
 * upstream, listening on 127.0.0.1:`port` only, with the test certificate.
 */
export async function renderShipped(
  upstreamPorts: readonly number[],
  port: number,
  certs: { readonly certFile: string; readonly keyFile: string },
): Promise<string> {
  let conf = await Deno.readTextFile(SHIPPED_CONF);
  for (
    const [from, to] of [
      [
        "server 127.0.0.1:8080;",
        upstreamPorts.map((p) => `server 127.0.0.1:${p};`).join("\n    "),
      ],
      ["listen 443 ssl;", `listen 127.0.0.1:${port} ssl;`],
      ["listen [::]:443 ssl;", ""],
      ["/etc/ssl/bucketgate/fullchain.pem", certs.certFile],
      ["/etc/ssl/bucketgate/privkey.pem", certs.keyFile],
    ] as const
  ) conf = substituteOnce(conf, from, to);
  return conf;
}
