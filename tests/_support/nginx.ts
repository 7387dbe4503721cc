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
