/**
 * The two nginx contenders, each its own nginx (master + `workers` workers):
 * the origin, serving a directory as an anonymous S3-style store
 * (`GET/HEAD/PUT/DELETE /bucket/key`, PUT through the DAV module, directory
 * listings as JSON autoindex), and a plain `proxy_pass` in front of it, what a
 * user would put there instead of a gateway (no auth, nginx's default buffering).
 */
import { nginxMain, nginxTemps, startNginx } from "../tests/_support/nginx.ts";
import { childrenOf } from "./_system.ts";

/** A running nginx. */
export interface Nginx {
  readonly port: number;
  /** The master's process id. */
  readonly pid: number;
  /** Master and workers (for CPU accounting). */
  pids(): Promise<number[]>;
  stop(): Promise<void>;
}

const HTTP_COMMON = (dir: string) => `
  access_log off;
  default_type application/octet-stream;
${nginxTemps(dir)}
  client_max_body_size 0;
  keepalive_requests 1000000;
  sendfile on;
  tcp_nopush on;
`;

async function start(dir: string, port: number, conf: string): Promise<Nginx> {
  const nginx = await startNginx(dir, conf, [port]);
  return {
    port,
    pid: nginx.pid,
    async pids() {
      return [nginx.pid, ...await childrenOf(nginx.pid)];
    },
    stop: () => nginx.stop(),
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
    `${nginxMain(dir, workers)}
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
    `${nginxMain(dir, workers)}
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
