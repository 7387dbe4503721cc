/**
 * The two nginx contenders, each its own nginx (master + `workers` workers):
 * the origin, serving a directory as an anonymous S3-style store
 * (`GET/HEAD/PUT/DELETE /bucket/key`, PUT through the DAV module, directory
 * listings as JSON autoindex), and a plain `proxy_pass` in front of it, what a
 * user would put there instead of a gateway (no auth, nginx's default buffering).
 */
import { childrenOf, sh, waitForPort } from "./_system.ts";

/** A running nginx. */
export interface Nginx {
  readonly port: number;
  /** The master's process id. */
  readonly pid: number;
  /** Master and workers (for CPU accounting). */
  pids(): Promise<number[]>;
  stop(): Promise<void>;
}

const COMMON = (dir: string, workers: number) => `
${Deno.uid() === 0 ? "user root;" : ""}
worker_processes ${workers};
worker_rlimit_nofile 65536;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 16384; }
`;

const HTTP_COMMON = (dir: string) => `
  access_log off;
  default_type application/octet-stream;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  client_max_body_size 0;
  keepalive_requests 1000000;
  sendfile on;
  tcp_nopush on;
`;

async function start(dir: string, port: number, conf: string): Promise<Nginx> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/nginx.conf`, conf);
  const r = await sh("nginx", ["-c", `${dir}/nginx.conf`, "-p", dir, "-e", `${dir}/error.log`]);
  if (r.code !== 0) throw new Error(`Cannot start nginx (${dir}): ${r.stderr}`);
  await waitForPort(port);
  const pid = Number((await Deno.readTextFile(`${dir}/nginx.pid`)).trim());
  return {
    port,
    pid,
    async pids() {
      return [pid, ...await childrenOf(pid)];
    },
    async stop() {
      await sh("nginx", [
        "-c",
        `${dir}/nginx.conf`,
        "-p",
        dir,
        "-e",
        `${dir}/error.log`,
        "-s",
        "stop",
      ]);
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

/** Starts the origin: `root` holds one directory per bucket. */
export function startOrigin(
  dir: string,
  port: number,
  root: string,
  workers: number,
): Promise<Nginx> {
  return start(
    dir,
    port,
    `${COMMON(dir, workers)}
http {
${HTTP_COMMON(dir)}
  server {
    listen 127.0.0.1:${port} backlog=4096;
    root ${root};
    location / {
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
      autoindex on;
      autoindex_format json;
    }
  }
}
`,
  );
}

/** Starts nginx `proxy_pass` to the origin, with upstream keepalive (the usual advice). */
export function startProxy(
  dir: string,
  port: number,
  originPort: number,
  workers: number,
): Promise<Nginx> {
  return start(
    dir,
    port,
    `${COMMON(dir, workers)}
http {
${HTTP_COMMON(dir)}
  upstream origin { server 127.0.0.1:${originPort}; keepalive 256; }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
}
