/**
 * bucketgate behind the shipped nginx config (deploy/nginx/bucketgate.conf),
 * the real gateway process and real nginx over TLS, driven by real clients:
 * signatures verify through the proxy (aws-cli, the whole boto3 suite, a
 * presigned URL with curl), awkward keys keep their bytes, the access log
 * names the client and the proxy, and the limits Deno.serve cannot set are
 * set by nginx: a slow request head is cut, and a reader that stops is cut
 * and its gateway request ends (store connection and place released).
 *
 * The file is used as shipped, with only its ports, certificate paths and two
 * timeouts (shortened so the test takes seconds) substituted.
 */
import assert from "node:assert/strict";
import { eventually } from "../_support/eventually.ts";
import { makeCerts, type TestCerts } from "../_support/certs.ts";
import { nginxMain, type NginxProcess, nginxTemps, startNginx } from "../_support/nginx.ts";
import { freePort } from "../_support/ports.ts";
import { firstReason, missingCommand, missingPythonModule, skippable } from "../_support/tools.ts";
import { type BackendKind, backendMissing, type Rig, startRig } from "./_backends.ts";
import { awsCli, DEV, READER, run } from "./_gateway.ts";

const SHIPPED = new URL("../../deploy/nginx/bucketgate.conf", import.meta.url);
/** Why nginx, its clients or its certificates cannot run here; under CI=true, throws. */
const notReady = await missingCommand("nginx", "curl", "aws", "openssl");

/** The gateway behind nginx. */
interface Proxied {
  readonly rig: Rig;
  /** https://127.0.0.1:PORT: the shipped server block. */
  readonly url: string;
  readonly port: number;
  /** http://127.0.0.1:PORT: a proxy that rewrites Host and says X-Forwarded-Host instead. */
  readonly rewritingUrl: string;
  readonly certs: TestCerts;
  readonly adminUrl: string;
  /** nginx's access log: one `METHOD URI X-Amz-Content-SHA256` line per request. */
  accessLog(): Promise<string>;
  stop(): Promise<void>;
}

/** Replaces `from` with `to` in the shipped file, which must hold `from` exactly once. */
function substitute(conf: string, from: string, to: string): string {
  const at = conf.indexOf(from);
  assert.ok(at >= 0 && conf.indexOf(from, at + 1) < 0, `shipped config has one '${from}'`);
  return conf.slice(0, at) + to + conf.slice(at + from.length);
}

async function startProxied(kind: BackendKind, extraConfig: string[] = []): Promise<Proxied> {
  const rig = await startRig(kind, {
    extraConfig: ["trusted_proxies: [127.0.0.1]", ...extraConfig],
    args: ["--log-format", "json", "--admin-listen", "127.0.0.1:0"],
  });
  const dir = `${rig.gw.dataDir}/nginx`;
  await Deno.mkdir(dir, { recursive: true });
  const certs = await makeCerts(dir);
  const port = freePort();
  const rewritingPort = freePort();
  let shipped = await Deno.readTextFile(SHIPPED);
  for (
    const [from, to] of [
      ["server 127.0.0.1:8080;", `server 127.0.0.1:${rig.gw.port};`],
      ["listen 443 ssl;", `listen 127.0.0.1:${port} ssl;`],
      ["listen [::]:443 ssl;", ""],
      ["/etc/ssl/bucketgate/fullchain.pem", certs.certFile],
      ["/etc/ssl/bucketgate/privkey.pem", certs.keyFile],
      ["\n    client_header_timeout 10s;", "\n    client_header_timeout 2s;"],
      ["\n    send_timeout 60s;", "\n    send_timeout 2s;"],
    ]
  ) shipped = substitute(shipped, from!, to!);
  const conf = `${nginxMain(dir)}
http {
${nginxTemps(dir)}
  log_format payload '$request_method $uri $http_x_amz_content_sha256';
  access_log ${dir}/access.log payload;
${shipped}
  # Not shipped: a proxy that rewrites Host (nginx's default) and reports the client's in
  # X-Forwarded-Host, which bucketgate believes only because 127.0.0.1 is a trusted proxy.
  server {
    listen 127.0.0.1:${rewritingPort};
    client_max_body_size 0;
    location / {
      proxy_pass http://bucketgate;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`;
  let nginx: NginxProcess;
  try {
    nginx = await startNginx(dir, conf, [port, rewritingPort]);
  } catch (e) {
    await rig.stop();
    throw e;
  }
  const admin = /admin listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(
    await rig.gw.waitForLog(/admin listening on http:\/\/127\.0\.0\.1:\d+/),
  )![1]!;
  return {
    rig,
    url: `https://127.0.0.1:${port}`,
    port,
    rewritingUrl: `http://127.0.0.1:${rewritingPort}`,
    certs,
    adminUrl: admin,
    accessLog: () => Deno.readTextFile(`${dir}/access.log`),
    async stop() {
      await nginx.stop();
      await rig.stop();
    },
  };
}

/** The gateway's JSON access-log entries of one operation on a key (waits for the first). */
async function logLinesFor(
  p: Proxied,
  key: string,
  operation: string,
): Promise<Record<string, unknown>[]> {
  const entries = () =>
    p.rig.gw.logs().split("\n").filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e.key === key && e.operation === operation);
  await eventually(() => Promise.resolve(entries().length > 0), 5000);
  return entries();
}

async function inFlight(p: Proxied): Promise<number> {
  const text = await (await fetch(`${p.adminUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("bucketgate_requests_in_flight "));
  return Number(line?.split(" ")[1]);
}

/** aws-cli against nginx, trusting the test CA. */
function awsViaProxy(
  p: Proxied,
  args: string[],
  key: { readonly id: string; readonly secret: string } = DEV,
) {
  return awsCli({ ...p.rig.gw, url: p.url }, ["--ca-bundle", p.certs.caFile, ...args], { key });
}

Deno.test({
  ...skippable(
    "behind the shipped nginx config over TLS: aws-cli transfers, awkward keys, presigned curl",
    notReady,
  ),
  async fn() {
    const p = await startProxied("fs");
    try {
      const big = crypto.getRandomValues(new Uint8Array(65536));
      const file = `${p.rig.gw.dataDir}/upload.bin`;
      const blob = new Uint8Array(20 * 1024 * 1024).map((_, i) => big[i % big.length]!);
      await Deno.writeFile(file, blob);
      // 20 MiB: a multipart upload of 8 MiB parts through the proxy, and back.
      let r = await awsViaProxy(p, ["s3", "cp", file, "s3://private-uploads/dir/big.bin"]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await p.rig.stored("private-uploads", "dir/big.bin"), blob);
      r = await awsViaProxy(p, ["s3", "cp", "s3://private-uploads/dir/big.bin", `${file}.back`]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await Deno.readFile(`${file}.back`), blob);
      // Keys whose encoding a proxy could change (spaces, plus, %, unicode, reserved marks).
      const keys = ["sp ace+plus.txt", "pct%2F25.txt", "ünï/cødé.txt", "a=b&c;d,e@f!g.txt"];
      for (const key of [...keys, "a//double/slash.txt"]) {
        r = await awsViaProxy(p, [
          "s3api",
          "put-object",
          "--bucket",
          "private-uploads",
          "--key",
          key,
          "--body",
          file + ".back",
        ]);
        if (key.includes("//")) {
          // It reached the gateway unmerged: the fs backend refuses the empty segment itself.
          assert.match(r.stderr, /InvalidArgument.*segment '' is not supported by the fs backend/);
          continue;
        }
        assert.equal(r.code, 0, `${key}: ${r.stderr}`);
        assert.ok(await p.rig.stored("private-uploads", key), `stored under '${key}'`);
      }
      r = await awsViaProxy(p, ["s3api", "list-objects-v2", "--bucket", "private-uploads"]);
      assert.equal(r.code, 0, r.stderr);
      const listed = (JSON.parse(r.stdout) as { Contents: { Key: string }[] }).Contents
        .map((c) => c.Key).sort();
      assert.deepEqual(listed, ["dir/big.bin", ...keys].sort());
      // A presigned URL made for the public origin, fetched by curl through nginx.
      r = await awsViaProxy(p, ["s3", "presign", "s3://private-uploads/sp ace+plus.txt"], READER);
      assert.equal(r.code, 0, r.stderr);
      const got = await run("curl", [
        "-sS",
        "-f",
        "--cacert",
        p.certs.caFile,
        "-o",
        `${file}.pre`,
        r.stdout.trim(),
      ]);
      assert.equal(got.code, 0, got.stderr);
      assert.deepEqual(await Deno.readFile(`${file}.pre`), blob);
      // The gateway saw the request through the proxy.
      const entry = (await logLinesFor(p, "sp ace+plus.txt", "GetObject"))[0];
      assert.equal(entry?.proxy, "127.0.0.1");
      assert.equal(entry?.status, 200);
    } finally {
      await p.stop();
    }
  },
});

Deno.test({
  ...skippable(
    "behind the shipped nginx config over TLS: the whole boto3 suite (aws-chunked trailers over https)",
    firstReason(notReady, await missingPythonModule("boto3")),
  ),
  async fn() {
    const p = await startProxied("fs");
    try {
      const r = await run("python3", [new URL("./boto3_suite.py", import.meta.url).pathname], {
        env: {
          ENDPOINT: p.url,
          DATA_DIR: p.rig.gw.dataDir,
          DEV_ID: DEV.id,
          DEV_SECRET: DEV.secret,
          READER_ID: READER.id,
          READER_SECRET: READER.secret,
          // botocore reads AWS_CA_BUNDLE; urllib (the suite's presigned fetches) SSL_CERT_FILE.
          AWS_CA_BUNDLE: p.certs.caFile,
          SSL_CERT_FILE: p.certs.caFile,
          PATH: Deno.env.get("PATH") ?? "",
          HOME: p.rig.gw.dataDir,
        },
      });
      assert.equal(
        r.code,
        0,
        `${r.stdout}\n${r.stderr}\n--- gateway log ---\n${p.rig.gw.logs().slice(-4000)}`,
      );
      assert.match(r.stdout, /boto3 suite OK/);
      // boto3 1.4x sends uploads over https as aws-chunked with a trailing checksum.
      assert.match(await p.accessLog(), /^PUT \S+ STREAMING-UNSIGNED-PAYLOAD-TRAILER$/m);
    } finally {
      await p.stop();
    }
  },
});

Deno.test({
  ...skippable(
    "a proxy that rewrites Host: signatures verify by X-Forwarded-Host from a trusted proxy, never from a stranger",
    notReady,
  ),
  async fn() {
    const p = await startProxied("fs");
    try {
      await Deno.writeTextFile(`${p.rig.gw.dataDir}/hello.txt`, "hello via rewriting proxy");
      const up = await awsCli({ ...p.rig.gw, url: p.rewritingUrl }, [
        "s3",
        "cp",
        `${p.rig.gw.dataDir}/hello.txt`,
        "s3://private-uploads/rw.txt",
      ]);
      assert.equal(up.code, 0, up.stderr);
      assert.equal(
        await p.rig.storedText("private-uploads", "rw.txt"),
        "hello via rewriting proxy",
      );
      // A presigned GET, sent from 127.0.0.3 with a forged X-Forwarded-For.
      const url = (await awsCli({ ...p.rig.gw, url: p.rewritingUrl }, [
        "s3",
        "presign",
        "s3://private-uploads/rw.txt",
      ])).stdout.trim();
      const viaProxy = await run("curl", [
        "-sS",
        "-f",
        "--interface",
        "127.0.0.3",
        "-H",
        "X-Forwarded-For: 198.51.100.66",
        url,
      ]);
      assert.equal(viaProxy.code, 0, viaProxy.stderr);
      assert.equal(viaProxy.stdout, "hello via rewriting proxy");
      const entry = (await logLinesFor(p, "rw.txt", "GetObject")).at(-1);
      assert.equal(entry?.remote, "127.0.0.3", "the client nginx saw, not the forged address");
      assert.equal(entry?.proxy, "127.0.0.1");
      // The same URL sent straight to the gateway by a stranger claiming the signed host.
      const signedHost = new URL(url).host;
      const direct = url.replace(p.rewritingUrl, p.rig.gw.url);
      const forged = await run("curl", [
        "-sS",
        "--interface",
        "127.0.0.3",
        "-H",
        `X-Forwarded-Host: ${signedHost}`,
        direct,
      ]);
      assert.match(forged.stdout, /<Code>SignatureDoesNotMatch<\/Code>/);
    } finally {
      await p.stop();
    }
  },
});

Deno.test({
  ...skippable(
    "behind the shipped nginx config: a request head trickled slower than client_header_timeout is cut",
    notReady,
  ),
  async fn() {
    const p = await startProxied("fs");
    const conn = await Deno.connectTls({
      hostname: "127.0.0.1",
      port: p.port,
      caCerts: [await Deno.readTextFile(p.certs.caFile)],
    });
    try {
      const head = "GET /public-data/none.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
      const started = Date.now();
      let closedAt: number | undefined;
      const reading = conn.read(new Uint8Array(4096)).then(
        (n) => (closedAt = Date.now(), n),
        () => (closedAt = Date.now(), null),
      );
      for (const ch of head + "z".repeat(20)) {
        if (closedAt !== undefined) break;
        await conn.write(new TextEncoder().encode(ch)).catch(() => {});
        await new Promise((r) => setTimeout(r, 400));
      }
      await Promise.race([reading, new Promise((r) => setTimeout(r, 3000))]);
      assert.ok(closedAt !== undefined, "nginx closed the connection");
      const after = closedAt - started;
      assert.ok(
        after >= 1500 && after < 4500,
        `closed after ${after} ms (client_header_timeout 2s)`,
      );
    } finally {
      conn.close();
      await p.stop();
    }
  },
});

for (const kind of ["fs", "s3"] as const) {
  Deno.test({
    ...skippable(
      `behind the shipped nginx config (${kind}): a reader that stops is cut by send_timeout and its gateway request ends`,
      firstReason(notReady, await backendMissing(kind)),
    ),
    async fn() {
      // Idle cut off in the gateway, so only nginx can end the transfer.
      const p = await startProxied(kind, [
        "client_idle_timeout_secs: 0",
        "max_concurrent_requests: 4",
      ]);
      const size = 64 * 1024 * 1024;
      await p.rig.seed("public-data", "large.bin", new Uint8Array(size));
      const conn = await Deno.connectTls({
        hostname: "127.0.0.1",
        port: p.port,
        caCerts: [await Deno.readTextFile(p.certs.caFile)],
      });
      try {
        await conn.write(
          new TextEncoder().encode(
            `GET /public-data/large.bin HTTP/1.1\r\nHost: 127.0.0.1:${p.port}\r\n\r\n`,
          ),
        );
        // Read the head and a little, then stop reading.
        await conn.read(new Uint8Array(16384));
        assert.ok(
          await eventually(async () => (await inFlight(p)) === 1, 3000),
          "the download is in flight",
        );
        const stalledAt = Date.now();
        assert.ok(
          await eventually(async () => (await inFlight(p)) === 0, 8000),
          "the gateway's request ended after nginx cut the client",
        );
        const waited = Date.now() - stalledAt;
        assert.ok(waited >= 1000, `not before send_timeout: ended after ${waited} ms`);
        // The connection nginx cut is reset: reading it now ends at once.
        const buf = new Uint8Array(1 << 20);
        const ended = await (async () => {
          for (let i = 0; i < 200; i++) {
            const n = await conn.read(buf).catch(() => null);
            if (n === null) return true;
          }
          return false;
        })();
        assert.ok(ended, "the client's connection was closed");
        // Others are served as before.
        const r = await run("curl", [
          "-sS",
          "-f",
          "--cacert",
          p.certs.caFile,
          "-o",
          "/dev/null",
          "-w",
          "%{http_code}",
          `${p.url}/public-data/large.bin`,
        ]);
        assert.equal(r.stdout, "200", r.stderr);
      } finally {
        try {
          conn.close();
        } catch { /* closed */ }
        await p.stop();
      }
    },
  });
}
