/**
 * src/transport against a real nginx: keep-alive reuse counted by nginx
 * itself ($connection), nginx closing an idle keep-alive socket, nginx's own
 * 100 Continue, a body nginx cuts short (its upstream died mid-body), 1 GiB
 * each way streamed with bounded memory, an abort mid-body, chunked answers
 * (autoindex), and TLS through a private CA.
 */
import assert from "node:assert/strict";
import { makeCerts } from "../_support/certs.ts";
import { nginxMain, type NginxProcess, nginxTemps, startNginx } from "../_support/nginx.ts";
import { freePort } from "../_support/ports.ts";
import { withTransport } from "../_support/transport.ts";
import { type Transport, TransportError } from "../../src/transport/mod.ts";

const MiB = 1024 * 1024;

interface Fixture {
  readonly url: string;
  readonly tlsUrl: string;
  readonly caPem: string;
  readonly dir: string;
}

/** A raw upstream that promises 100,000 bytes and sends 50,000 (nginx relays the cut). */
function cuttingUpstream(): { port: number; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  (async () => {
    for await (const conn of listener) {
      (async () => {
        await conn.read(new Uint8Array(65536));
        const head = "HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n";
        await conn.write(new TextEncoder().encode(head + "c".repeat(50_000)));
        conn.close();
      })().catch(() => {});
    }
  })().catch(() => {});
  return { port: (listener.addr as Deno.NetAddr).port, close: () => listener.close() };
}

async function withNginx(run: (f: Fixture) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "bucketgate-transport-nginx-" });
  const root = `${dir}/root`;
  await Deno.mkdir(`${root}/b/list`, { recursive: true });
  await Deno.writeFile(`${root}/b/1k.bin`, new Uint8Array(1024).fill(0x61));
  for (let i = 0; i < 20; i++) await Deno.writeTextFile(`${root}/b/list/file-${i}`, "x");
  const big = await Deno.open(`${root}/b/64m.bin`, { write: true, create: true });
  await big.truncate(64 * MiB);
  big.close();
  const certs = await makeCerts(dir);
  const upstream = cuttingUpstream();
  const port = freePort();
  const tlsPort = freePort();
  const server = (listen: string) => `
  server {
    listen ${listen};
    keepalive_timeout 1s;
    root ${root};
    location / {
      dav_methods PUT DELETE;
      create_full_put_path on;
      autoindex on;
      autoindex_format json;
      add_header x-conn $connection always;
    }
    location /cut/ { proxy_pass http://127.0.0.1:${upstream.port}; proxy_buffering off; }
  }`;
  let nginx: NginxProcess | undefined;
  try {
    nginx = await startNginx(
      dir,
      `${nginxMain(dir)}
http {
  access_log off;
  default_type application/octet-stream;
${nginxTemps(dir)}
  client_max_body_size 0;
  keepalive_requests 100000;
  ssl_certificate ${certs.certFile};
  ssl_certificate_key ${certs.keyFile};
${server(`127.0.0.1:${port}`)}
${server(`127.0.0.1:${tlsPort} ssl`)}
}
`,
      [port, tlsPort],
    );
    await run({
      url: `http://127.0.0.1:${port}`,
      tlsUrl: `https://127.0.0.1:${tlsPort}`,
      caPem: await Deno.readTextFile(certs.caFile),
      dir,
    });
  } finally {
    await nginx?.stop();
    upstream.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const pool = (t: Transport) => Object.values(t.stats())[0]!;

Deno.test("transport on nginx: sequential requests share one connection, as nginx counts them", async () => {
  await withNginx(async (f) => {
    let opened = 0;
    await withTransport({
      connect: (e) => {
        opened++;
        return Deno.connect({ hostname: e.hostname, port: e.port });
      },
    }, async (t) => {
      const conns = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const method = ["GET", "HEAD", "PUT", "DELETE"][i % 4]!;
        const r = await t.request({
          method,
          url: `${f.url}/b/${method === "GET" || method === "HEAD" ? "1k.bin" : "tmp"}`,
          ...(method === "PUT" ? { body: new Uint8Array(10) } : {}),
        });
        conns.add(r.headers.get("x-conn")!);
        if (method === "GET") assert.equal(r.bytes?.length, 1024);
        else await r.body?.cancel();
      }
      assert.equal(conns.size, 1, `nginx saw connections ${[...conns]}`);
      assert.equal(opened, 1);
    });
  });
});

Deno.test("transport on nginx: nginx closing an idle socket (keepalive_timeout) loses no request", async () => {
  await withNginx(async (f) => {
    await withTransport({ idleTimeoutMs: 60_000 }, async (t) => {
      const a = await t.request({ method: "GET", url: `${f.url}/b/1k.bin` });
      assert.equal(pool(t).idle, 1);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(pool(t).idle, 0, "the pool saw nginx close it");
      const b = await t.request({
        method: "POST", // not idempotent: only a fresh socket may carry it
        url: `${f.url}/b/1k.bin`,
        body: new Uint8Array(1),
      });
      await b.body?.cancel();
      assert.equal(b.status, 405);
      assert.notEqual(a.headers.get("x-conn"), b.headers.get("x-conn"));
      assert.equal(pool(t).opened, 2);
    });
  });
});

Deno.test("transport on nginx: Expect: 100-continue gets nginx's 100 and sends the body", async () => {
  await withNginx(async (f) => {
    await withTransport({ continueTimeoutMs: 10_000 }, async (t) => {
      const started = Date.now();
      const r = await t.request({
        method: "PUT",
        url: `${f.url}/b/continued`,
        headers: { expect: "100-continue" },
        body: { stream: ReadableStream.from([new Uint8Array(5000).fill(0x63)]), length: 5000 },
      });
      await r.body?.cancel();
      assert.equal(r.status, 201);
      assert.ok(Date.now() - started < 5000, "sent on the 100, not on the 10 s fallback");
      assert.equal((await Deno.stat(`${f.dir}/root/b/continued`)).size, 5000);
    });
  });
});

Deno.test("transport on nginx: a body nginx cuts short is an error, never short data", async () => {
  await withNginx(async (f) => {
    await withTransport({}, async (t) => {
      const r = await t.request({ method: "GET", url: `${f.url}/cut/x` });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("content-length"), "100000");
      await assert.rejects(
        new Response(r.body).arrayBuffer(),
        (e) => e instanceof TransportError && e.code === "Truncated",
      );
      assert.equal(pool(t).open, 0);
    });
  });
});

Deno.test("transport on nginx: a chunked answer (autoindex) is read whole and its socket reused", async () => {
  await withNginx(async (f) => {
    await withTransport({}, async (t) => {
      const r = await t.request({ method: "GET", url: `${f.url}/b/list/` });
      assert.equal(r.headers.get("transfer-encoding"), "chunked");
      const list = JSON.parse(await new Response(r.body).text()) as unknown[];
      assert.equal(list.length, 20);
      const again = await t.request({ method: "GET", url: `${f.url}/b/1k.bin` });
      assert.equal(again.headers.get("x-conn"), r.headers.get("x-conn"));
    });
  });
});

Deno.test("transport on nginx: an abort mid-body errors the stream with its reason and closes the socket", async () => {
  await withNginx(async (f) => {
    await withTransport({}, async (t) => {
      const ac = new AbortController();
      const r = await t.request({ method: "GET", url: `${f.url}/b/64m.bin`, signal: ac.signal });
      const reader = r.body!.getReader();
      assert.ok((await reader.read()).value!.length > 0);
      ac.abort(new Error("the client went away"));
      await assert.rejects(
        (async () => {
          for (let c = await reader.read(); !c.done; c = await reader.read()) { /* drain */ }
        })(),
        /the client went away/,
      );
      assert.equal(pool(t).open, 0);
    });
  });
});

/** A 1 GiB stream of 1 MiB chunks, byte i = i mod 251, made as it is read. */
function patterned(total: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      const n = Math.min(MiB, total - at);
      const chunk = new Uint8Array(n);
      for (let i = 0; i < n; i++) chunk[i] = (at + i) % 251;
      at += n;
      c.enqueue(chunk);
      if (at === total) c.close();
    },
  }, { highWaterMark: 0 });
}

/** Samples this process's RSS every 50 ms; returns the peak when stopped. */
function rssPeak(): () => number {
  let peak = Deno.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, Deno.memoryUsage().rss)), 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, Deno.memoryUsage().rss);
  };
}

Deno.test("transport on nginx: 1 GiB up and 1 GiB down, streamed, memory bounded", async () => {
  const GiB = 1024 * MiB;
  await withNginx(async (f) => {
    await withTransport({}, async (t) => {
      const before = Deno.memoryUsage().rss;
      let stop = rssPeak();
      const put = await t.request({
        method: "PUT",
        url: `${f.url}/b/1g.bin`,
        body: { stream: patterned(GiB), length: GiB },
        timeoutMs: 120_000,
      });
      await put.body?.cancel();
      assert.equal(put.status, 201);
      const upPeak = stop();
      assert.equal((await Deno.stat(`${f.dir}/root/b/1g.bin`)).size, GiB);

      stop = rssPeak();
      const get = await t.request({ method: "GET", url: `${f.url}/b/1g.bin` });
      let got = 0;
      let wrong = 0;
      for await (const chunk of get.body!) {
        for (let i = 0; i < chunk.length; i += 4093) if (chunk[i] !== (got + i) % 251) wrong++;
        got += chunk.length;
      }
      const downPeak = stop();
      assert.equal(got, GiB);
      assert.equal(wrong, 0);
      const growth = (Math.max(upPeak, downPeak) - before) / MiB;
      assert.ok(growth < 128, `RSS grew by ${growth.toFixed(0)} MiB`);
      assert.equal(pool(t).idle, 1, "the socket went back after the whole body");
    });
  });
});

Deno.test("transport on nginx: https through a private CA (caCerts); without it, refused", async () => {
  await withNginx(async (f) => {
    await withTransport({ caCerts: [f.caPem] }, async (t) => {
      const r = await t.request({ method: "GET", url: `${f.tlsUrl}/b/1k.bin` });
      assert.equal(r.status, 200);
      assert.equal(r.bytes?.length, 1024);
      const again = await t.request({ method: "GET", url: `${f.tlsUrl}/b/1k.bin` });
      assert.equal(again.headers.get("x-conn"), r.headers.get("x-conn"));
      const big = await t.request({ method: "GET", url: `${f.tlsUrl}/b/64m.bin` });
      let got = 0;
      for await (const c of big.body!) got += c.length;
      assert.equal(got, 64 * MiB);
    });
    await withTransport({}, async (t) => {
      await assert.rejects(
        t.request({ method: "GET", url: `${f.tlsUrl}/b/1k.bin` }),
        (e) => e instanceof Error && /certificate|UnknownIssuer/i.test(e.message),
      );
    });
  });
});

Deno.test("transport on nginx: DENO_CERT alone is trusted, as fetch trusts it (no caCerts)", async () => {
  await withNginx(async (f) => {
    const caFile = `${f.dir}/ca.pem`;
    const script = `
      import { createTransport } from ${
      JSON.stringify(new URL("../../src/transport/mod.ts", import.meta.url).href)
    };
      const t = createTransport();
      const r = await t.request({ method: "GET", url: ${JSON.stringify(`${f.tlsUrl}/b/1k.bin`)} });
      await Deno.stdout.write(new TextEncoder().encode(r.status + " " + r.bytes?.length));
      t.close();`;
    const run = (env: Record<string, string>) =>
      new Deno.Command(Deno.execPath(), {
        args: ["eval", "--no-lock", script],
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
    const trusted = await run({ DENO_CERT: caFile });
    assert.equal(new TextDecoder().decode(trusted.stdout), "200 1024");
    const untrusted = await run({});
    assert.equal(untrusted.success, false);
    assert.match(new TextDecoder().decode(untrusted.stderr), /UnknownIssuer|certificate/i);
  });
});
