/**
 * More than one bucketgate serving one deployment (issue 20 part 3): what one
 * instance hands a client (STS credentials, a multipart upload id, a listing's
 * continuation token) works on any other with the same config and
 * SESSION_TOKEN_KEY.
 *
 * Two layouts run the same flows:
 * - two gateway processes over one moto store behind the shipped nginx config
 *   (deploy/nginx/bucketgate.conf) with both in its upstream (round-robin),
 *   over TLS;
 * - one gateway with `--workers 2` over fs, a kept-alive connection pinned to
 *   each worker.
 *
 * Every request's instance is proved, not assumed: it is found by the
 * response's x-amz-request-id in the instances' JSON access logs (the
 * process's log, or the line's `worker`), and a flow step that must run on
 * one instance fails if it ran on the other.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { makeCerts, type TestCerts } from "../_support/certs.ts";
import { eventually } from "../_support/eventually.ts";
import {
  nginxMain,
  type NginxProcess,
  nginxTemps,
  renderShipped,
  startNginx,
} from "../_support/nginx.ts";
import { createMotoBucket, type Moto, motoMissing, startMoto } from "../_support/moto.ts";
import { type IssuerProcess, issuerRoles, startIssuerProcess } from "../_support/oidc_issuer.ts";
import { freePort } from "../_support/ports.ts";
import { type RawAnswer, RawClient, rawExchange } from "../_support/raw_http.ts";
import { testSigner } from "../_support/signer.ts";
import { firstReason, missingCommand, skippable } from "../_support/tools.ts";
import { STANDARD_BUCKETS } from "./_backends.ts";
import { awsCli, DEV, type Gateway, type GatewayOptions, startGateway } from "./_gateway.ts";

const ROLE_ARN = "arn:aws:iam::123456789012:role/ci-deployer";
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Why the nginx layout cannot run here; under CI=true, throws. */
const proxiedNotReady = firstReason(
  await missingCommand("nginx", "openssl", "aws"),
  await motoMissing(),
);
/** Why the workers layout cannot run here (the OIDC issuer's certificates); under CI=true, throws. */
const workersNotReady = await missingCommand("openssl");

/** An access key, with the session token of temporary credentials. */
interface Key {
  readonly id: string;
  readonly secret: string;
  readonly token?: string;
}

/** One request of a flow: signed with `key` (UNSIGNED-PAYLOAD), or anonymous without one. */
interface Req {
  readonly method: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
  readonly key?: Key;
}

/** Which of the two instances. */
type Side = 0 | 1;

/**
 * Two instances of one deployment: `send(side, r)` delivers `r` to that
 * instance and fails unless the access logs prove it answered there.
 */
interface Pair {
  /** How the instances are named in messages: `["gateway A", "gateway B"]`. */
  readonly names: readonly [string, string];
  send(side: Side, r: Req): Promise<RawAnswer>;
  /** The object's bytes as the store holds them (bypassing both instances). */
  stored(bucket: string, key: string): Promise<Uint8Array | undefined>;
  /** A token from the OIDC issuer both instances trust. */
  webIdentityToken(): Promise<string>;
}

type LogEntry = Record<string, unknown>;

/** The JSON access-log entries in a gateway's output. */
function accessEntries(gw: Gateway): LogEntry[] {
  return gw.logs().split("\n").filter((l) => l.startsWith('{"time"'))
    .map((l) => JSON.parse(l) as LogEntry);
}

/** Waits for the access-log entry of request `id` in one of `gws`; which one, and the entry. */
async function servedBy(
  gws: readonly Gateway[],
  id: string,
): Promise<{ readonly at: number; readonly entry: LogEntry }> {
  let found: { at: number; entry: LogEntry } | undefined;
  const look = () => {
    gws.forEach((gw, at) => {
      const entry = accessEntries(gw).find((e) => e.requestId === id);
      if (entry) found = { at, entry };
    });
    return Promise.resolve(found !== undefined);
  };
  assert.ok(await eventually(look, 5000), `request ${id} is in an access log`);
  return found!;
}

/** The query string as sent: RFC 3986 values (an empty value is the bare name). */
function queryString(query: Readonly<Record<string, string>>): string {
  const enc = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return Object.entries(query).map(([k, v]) => (v === "" ? enc(k) : `${enc(k)}=${enc(v)}`))
    .join("&");
}

/** The request's headers: `host` and `headers`, SigV4-signed when it has a key. */
async function headersOf(
  r: Req,
  origin: { readonly protocol: "http:" | "https:"; readonly port: number },
): Promise<Record<string, string>> {
  const headers = { host: `127.0.0.1:${origin.port}`, ...r.headers };
  if (!r.key) return headers;
  const signed = await testSigner(r.key).sign({
    method: r.method,
    protocol: origin.protocol,
    hostname: "127.0.0.1",
    port: origin.port,
    path: r.path,
    query: { ...r.query },
    headers: { ...headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
  });
  return signed.headers;
}

function bytesOf(body: Uint8Array | string | undefined): Uint8Array | undefined {
  return typeof body === "string" ? encoder.encode(body) : body;
}

// ---------------------------------------------------------------------------
// The flows, on any pair.

function text(a: RawAnswer): string {
  return decoder.decode(a.body);
}

function xmlValue(a: RawAnswer, tag: string): string {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text(a));
  assert.ok(m, `<${tag}> in ${text(a)}`);
  return m[1]!;
}

function expectStatus(a: RawAnswer, status: number, what: string): void {
  assert.equal(a.status, status, `${what}: ${text(a)}`);
}

/** AssumeRoleWithWebIdentity on `side`, as the SDKs send it (a form POST to `/`). */
async function assumeRole(pair: Pair, side: Side, session: string): Promise<Key> {
  const form = new URLSearchParams({
    Action: "AssumeRoleWithWebIdentity",
    Version: "2011-06-15",
    RoleArn: ROLE_ARN,
    RoleSessionName: session,
    WebIdentityToken: await pair.webIdentityToken(),
  }).toString();
  const a = await pair.send(side, {
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form,
  });
  expectStatus(a, 200, `AssumeRoleWithWebIdentity on ${pair.names[side]}`);
  return {
    id: xmlValue(a, "AccessKeyId"),
    secret: xmlValue(a, "SecretAccessKey"),
    token: xmlValue(a, "SessionToken"),
  };
}

/** The token with one character in its middle changed. */
function flip(token: string): string {
  const at = token.length >> 1;
  return token.slice(0, at) + (token[at] === "A" ? "B" : "A") + token.slice(at + 1);
}

/** Credentials minted on one instance sign requests the other accepts, with their scopes. */
async function stsFlow(pair: Pair): Promise<void> {
  for (const [mint, use] of [[0, 1], [1, 0]] as const) {
    const key = await assumeRole(pair, mint, `multi-${mint}`);
    const path = `/private-uploads/releases/minted-on-${mint}.txt`;
    const put = await pair.send(use, { method: "PUT", path, body: `minted on ${mint}`, key });
    expectStatus(put, 200, `PUT with ${pair.names[mint]}'s credentials on ${pair.names[use]}`);
    const got = await pair.send(mint, { method: "GET", path, key });
    expectStatus(got, 200, "GET back on the minting instance");
    assert.equal(text(got), `minted on ${mint}`);
    // The scopes sealed in the token hold on the other instance too.
    const outside = await pair.send(use, {
      method: "PUT",
      path: "/private-uploads/outside-the-role.txt",
      body: "no",
      key,
    });
    expectStatus(outside, 403, "PUT outside the role's prefix");
    assert.equal(xmlValue(outside, "Code"), "AccessDenied");
    // A token altered by one byte is refused there: the other instance really opened it.
    const refused = await pair.send(use, {
      method: "GET",
      path,
      key: { ...key, token: flip(key.token!) },
    });
    expectStatus(refused, 403, "a forged token");
    assert.match(text(refused), /The security token included in the request is invalid/);
  }
  assert.equal(await pair.stored("private-uploads", "outside-the-role.txt"), undefined);
}

/** A multipart upload created on 0, parts on both, listed on both, completed on 1. */
async function multipartFlow(pair: Pair): Promise<void> {
  const path = "/private-uploads/multi/parts.bin";
  const created = await pair.send(0, {
    method: "POST",
    path,
    query: { uploads: "" },
    key: DEV,
  });
  expectStatus(created, 200, "CreateMultipartUpload");
  const uploadId = xmlValue(created, "UploadId");
  const parts = [
    new Uint8Array(5 * 1024 * 1024).fill(1),
    new Uint8Array(5 * 1024 * 1024).fill(2),
    new Uint8Array(1000).fill(3),
  ];
  const etags: string[] = [];
  for (const [i, body] of parts.entries()) {
    const side: Side = i % 2 === 0 ? 1 : 0; // part 1 on B, 2 on A, 3 on B
    const a = await pair.send(side, {
      method: "PUT",
      path,
      query: { partNumber: String(i + 1), uploadId },
      body,
      key: DEV,
    });
    expectStatus(a, 200, `UploadPart ${i + 1} on ${pair.names[side]}`);
    etags.push(a.headers.get("etag")!);
  }
  for (const side of [0, 1] as const) {
    const listed = await pair.send(side, { method: "GET", path, query: { uploadId }, key: DEV });
    expectStatus(listed, 200, `ListParts on ${pair.names[side]}`);
    const listedTags = [...text(listed).matchAll(/<ETag>([^<]+)<\/ETag>/g)].map((m) =>
      m[1]!.replaceAll("&quot;", '"')
    );
    assert.deepEqual(listedTags, etags, `every part, on ${pair.names[side]}`);
  }
  const uploads = await pair.send(1, {
    method: "GET",
    path: "/private-uploads",
    query: { uploads: "", prefix: "multi/" },
    key: DEV,
  });
  expectStatus(uploads, 200, "ListMultipartUploads");
  assert.ok(text(uploads).includes(`<UploadId>${uploadId}</UploadId>`), text(uploads));
  const complete = "<CompleteMultipartUpload>" +
    etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`)
      .join("") +
    "</CompleteMultipartUpload>";
  const done = await pair.send(1, {
    method: "POST",
    path,
    query: { uploadId },
    body: complete,
    key: DEV,
  });
  expectStatus(done, 200, "CompleteMultipartUpload");
  assert.doesNotMatch(text(done), /<Error>/);
  const whole = Buffer.concat(parts);
  const read = await pair.send(0, { method: "GET", path, key: DEV });
  expectStatus(read, 200, "GET of the completed object");
  assert.ok(Buffer.from(read.body).equals(whole), "the object read back whole, in order");
  const stored = await pair.stored("private-uploads", "multi/parts.bin");
  assert.ok(stored && Buffer.from(stored).equals(whole), "the store holds it whole");
}

/** Nine keys written on alternate instances, listed two a page, each page on the other instance. */
async function listingFlow(pair: Pair): Promise<void> {
  const keys = Array.from({ length: 9 }, (_, i) => `pages/k${i}.txt`);
  for (const [i, k] of keys.entries()) {
    const put = await pair.send((i % 2) as Side, {
      method: "PUT",
      path: `/private-uploads/${k}`,
      body: k,
      key: DEV,
    });
    expectStatus(put, 200, `PUT ${k}`);
  }
  const listed: string[] = [];
  let token: string | undefined;
  let page = 0;
  do {
    const side = (page % 2) as Side;
    const a = await pair.send(side, {
      method: "GET",
      path: "/private-uploads",
      query: {
        "list-type": "2",
        prefix: "pages/",
        "max-keys": "2",
        ...(token ? { "continuation-token": token } : {}),
      },
      key: DEV,
    });
    expectStatus(a, 200, `ListObjectsV2 page ${page + 1} on ${pair.names[side]}`);
    listed.push(...[...text(a).matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]!));
    token = /<NextContinuationToken>([^<]+)</.exec(text(a))?.[1];
    assert.equal(xmlValue(a, "IsTruncated"), token ? "true" : "false");
    page++;
  } while (token && page < 10);
  assert.equal(page, 5, "nine keys, two a page");
  assert.deepEqual(listed, keys, "every key once, in order, though each page came from the other");
}

async function runFlows(pair: Pair, t: Deno.TestContext): Promise<void> {
  await t.step("STS credentials minted on one are used on the other", () => stsFlow(pair));
  await t.step("a multipart upload spread over both", () => multipartFlow(pair));
  await t.step("a listing whose pages alternate", () => listingFlow(pair));
}

// ---------------------------------------------------------------------------
// The STS setup both layouts share.

/** The issuer, its CA and the gateways' STS environment (one SESSION_TOKEN_KEY). */
interface StsSetup {
  readonly dir: string;
  readonly certs: TestCerts;
  readonly issuer: IssuerProcess;
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

async function startSts(): Promise<StsSetup> {
  const dir = await Deno.makeTempDir({ prefix: "bucketgate-multi-" });
  const certs = await makeCerts(dir);
  const issuer = await startIssuerProcess(certs);
  const sessionKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
  return {
    dir,
    certs,
    issuer,
    env: { DENO_CERT: certs.caFile, SESSION_TOKEN_KEY: sessionKey },
    async stop() {
      await issuer.stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

// ---------------------------------------------------------------------------
// Layout 1: two processes over one moto behind the shipped nginx config.

/** Two gateways on one moto store behind nginx, and the pair that drives them. */
interface Proxied {
  readonly pair: Pair;
  readonly gws: readonly [Gateway, Gateway];
  readonly url: string;
  readonly certs: TestCerts;
  /** Which gateway served each request the pair sent, in order (probes included). */
  readonly trail: Side[];
  stop(): Promise<void>;
}

/** Two gateways with one config and SESSION_TOKEN_KEY, their buckets on one moto store. */
async function startTwoGateways(sts: StsSetup, moto: Moto): Promise<[Gateway, Gateway]> {
  for (const b of STANDARD_BUCKETS) await createMotoBucket(moto.endpoint, b);
  const options: GatewayOptions = {
    env: sts.env,
    args: ["--log-format", "json"],
    extraConfig: ["trusted_proxies: [127.0.0.1]", ...issuerRoles(sts.issuer.issuer)],
    bucketEntry: (name, anonymous) =>
      `{ name: ${name}, backend_type: s3, anonymous_access: ${anonymous}, backend_options: { endpoint: "${moto.endpoint}", bucket_name: ${name}, region: us-east-1, access_key_id: testing, secret_access_key: testing } }`,
  };
  const a = await startGateway([], options);
  const b = await startGateway([], options).catch(async (e) => {
    await a.stop();
    throw e;
  });
  return [a, b];
}

/** nginx on `port` over TLS, running the shipped server block in front of both gateways. */
async function startProxy(
  gws: readonly Gateway[],
  port: number,
  sts: StsSetup,
): Promise<NginxProcess> {
  const dir = `${sts.dir}/nginx`;
  await Deno.mkdir(dir, { recursive: true });
  const shipped = await renderShipped(gws.map((gw) => gw.port), port, sts.certs);
  const conf = `${nginxMain(dir)}\nhttp {\n${nginxTemps(dir)}\n  access_log off;\n${shipped}\n}\n`;
  return await startNginx(dir, conf, [port]);
}

/** What the proxied pair is made of. */
interface ProxiedParts {
  readonly gws: readonly [Gateway, Gateway];
  readonly port: number;
  readonly client: Deno.HttpClient;
  readonly moto: Moto;
  readonly sts: StsSetup;
  readonly trail: Side[];
}

/** Sends `r` through nginx; which gateway served it, from their access logs. */
async function proxiedExchange(
  p: ProxiedParts,
  r: Req,
): Promise<{ answer: RawAnswer; side: Side }> {
  const qs = queryString(r.query ?? {});
  const body = bytesOf(r.body);
  const res = await fetch(`https://127.0.0.1:${p.port}${r.path}${qs ? "?" + qs : ""}`, {
    method: r.method,
    headers: await headersOf(r, { protocol: "https:", port: p.port }),
    client: p.client,
    ...(body !== undefined ? { body: body as BodyInit } : {}),
  });
  const answer: RawAnswer = {
    status: res.status,
    headers: new Map(res.headers),
    body: new Uint8Array(await res.arrayBuffer()),
  };
  const id = answer.headers.get("x-amz-request-id");
  assert.ok(id, `a request id on ${r.method} ${r.path}: ${answer.status}`);
  const side = (await servedBy(p.gws, id)).at as Side;
  p.trail.push(side);
  return { answer, side };
}

/**
 * The pair behind nginx. nginx takes the upstream servers in turn, so after a
 * request went to one side the next goes to the other: a request meant for the
 * side that served the last one is preceded by an anonymous probe.
 */
function proxiedPair(p: ProxiedParts): Pair {
  const probe = () => proxiedExchange(p, { method: "GET", path: "/public-data/probe-missing" });
  const pair: Pair = {
    names: ["gateway A", "gateway B"],
    async send(side, r) {
      for (let i = 0; i < 3 && p.trail.at(-1) !== 1 - side; i++) await probe();
      const { answer, side: served } = await proxiedExchange(p, r);
      assert.equal(
        served,
        side,
        `${r.method} ${r.path} was to be served by ${pair.names[side]} (trail ${p.trail.join("")})`,
      );
      return answer;
    },
    async stored(bucket, key) {
      const res = await fetch(`${p.moto.endpoint}/${bucket}/${key}`);
      if (res.status === 404) {
        await res.body?.cancel();
        return undefined;
      }
      return new Uint8Array(await res.arrayBuffer());
    },
    webIdentityToken: () => p.sts.issuer.token(),
  };
  return pair;
}

async function startProxied(sts: StsSetup, moto: Moto): Promise<Proxied> {
  const gws = await startTwoGateways(sts, moto);
  const stopGateways = async () => {
    await gws[0].stop();
    await gws[1].stop();
  };
  const port = freePort();
  const nginx = await startProxy(gws, port, sts).catch(async (e) => {
    await stopGateways();
    throw e;
  });
  const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(sts.certs.caFile)] });
  const trail: Side[] = [];
  return {
    pair: proxiedPair({ gws, port, client, moto, sts, trail }),
    gws,
    url: `https://127.0.0.1:${port}`,
    certs: sts.certs,
    trail,
    async stop() {
      client.close();
      await nginx.stop();
      await stopGateways();
    },
  };
}

/** aws-cli through nginx (trusting the test CA) with the development key. */
function awsViaProxy(p: Proxied, args: string[]) {
  return awsCli({ ...p.gws[0], url: p.url }, ["--ca-bundle", p.certs.caFile, ...args]);
}

/** The access-log entries of an operation from aws-cli, on each gateway. */
function cliEntries(p: Proxied, operation: string): [LogEntry[], LogEntry[]] {
  const of = (gw: Gateway) =>
    accessEntries(gw).filter((e) =>
      e.operation === operation && String(e.userAgent ?? "").startsWith("aws-cli")
    );
  return [of(p.gws[0]), of(p.gws[1])];
}

Deno.test({
  ...skippable(
    "two instances on one moto store behind the shipped nginx config (round-robin): STS credentials, a multipart upload and a listing's pages cross instances",
    proxiedNotReady,
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const sts = await startSts();
    const moto = await startMoto();
    let p: Proxied | undefined;
    try {
      p = await startProxied(sts, moto);
      const proxied = p;
      await runFlows(proxied.pair, t);
      // Round-robin really alternated: both served, and no two requests in a row went to one
      // gateway unless the test asked for it (a probe only precedes a request for the same side).
      assert.ok(proxied.trail.includes(0) && proxied.trail.includes(1));
      for (let i = 1; i < proxied.trail.length; i++) {
        assert.notEqual(proxied.trail[i], proxied.trail[i - 1], `trail ${proxied.trail.join("")}`);
      }

      await t.step("aws-cli through nginx: a multipart cp and a paged listing", async () => {
        const file = `${sts.dir}/cli.bin`;
        const blob = new Uint8Array(20 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
        await Deno.writeFile(file, blob);
        let r = await awsViaProxy(proxied, ["s3", "cp", file, "s3://private-uploads/cli/big.bin"]);
        assert.equal(r.code, 0, r.stderr);
        const stored = await proxied.pair.stored("private-uploads", "cli/big.bin");
        assert.ok(stored && Buffer.from(stored).equals(Buffer.from(blob)));
        const [partsA, partsB] = cliEntries(proxied, "UploadPart");
        assert.equal(partsA.length + partsB.length, 3, "20 MiB in 8 MiB parts");
        assert.ok(partsA.length > 0 && partsB.length > 0, "parts went to both gateways");
        r = await awsViaProxy(proxied, [
          "s3api",
          "list-objects-v2",
          "--bucket",
          "private-uploads",
          "--prefix",
          "pages/",
          "--page-size",
          "2",
        ]);
        assert.equal(r.code, 0, r.stderr);
        const keys = (JSON.parse(r.stdout) as { Contents: { Key: string }[] }).Contents
          .map((c) => c.Key);
        assert.deepEqual(keys, Array.from({ length: 9 }, (_, i) => `pages/k${i}.txt`));
        const [listA, listB] = cliEntries(proxied, "ListObjectsV2");
        assert.equal(listA.length + listB.length, 5);
        assert.ok(listA.length >= 2 && listB.length >= 2, "pages from both gateways");
      });
    } finally {
      await p?.stop();
      await moto.stop();
      await sts.stop();
    }
  },
});

// ---------------------------------------------------------------------------
// Layout 2: one process with --workers 2 over fs, a connection pinned to each worker.

/** The head of `r` for a raw socket to the gateway on `port`. */
async function rawHead(r: Req, port: number, length: number): Promise<string> {
  const headers = await headersOf(
    { ...r, headers: { ...r.headers, "content-length": String(length) } },
    { protocol: "http:", port },
  );
  const qs = queryString(r.query ?? {});
  const lines = [`${r.method} ${r.path}${qs ? "?" + qs : ""} HTTP/1.1`];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return lines.join("\r\n") + "\r\n\r\n";
}

/** The worker (1, 2) that answered `a`, from its access-log line. */
async function workerOf(gw: Gateway, a: RawAnswer): Promise<number> {
  const id = a.headers.get("x-amz-request-id");
  assert.ok(id, `a request id: ${a.status}`);
  return Number((await servedBy([gw], id)).entry.worker);
}

/** A kept-alive connection that `worker` serves (new connections land on either). */
async function connectionOn(gw: Gateway, worker: number): Promise<RawClient> {
  for (let i = 0; i < 64; i++) {
    const c = await RawClient.connect(gw.port);
    const a = await rawExchange(c, "GET /public-data/probe-missing HTTP/1.1\r\nhost: x\r\n\r\n");
    if (await workerOf(gw, a) === worker) return c;
    c.close();
  }
  throw new Error(`no connection landed on worker ${worker} in 64 tries:\n${gw.logs()}`);
}

Deno.test({
  ...skippable(
    "--workers 2 over fs: STS credentials, a multipart upload and a listing's pages cross workers",
    workersNotReady,
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const sts = await startSts();
    let gw: Gateway | undefined;
    const conns: RawClient[] = [];
    try {
      gw = await startGateway([], {
        env: sts.env,
        args: ["--workers", "2", "--log-format", "json"],
        extraConfig: issuerRoles(sts.issuer.issuer),
      });
      const g = gw;
      conns.push(await connectionOn(g, 1), await connectionOn(g, 2));
      const pair: Pair = {
        names: ["worker 1", "worker 2"],
        async send(side, r) {
          const body = bytesOf(r.body);
          const a = await rawExchange(
            conns[side]!,
            await rawHead(r, g.port, body?.length ?? 0),
            body,
          );
          assert.equal(await workerOf(g, a), side + 1, `${r.method} ${r.path} on its worker`);
          return a;
        },
        stored: (bucket, key) =>
          Deno.readFile(`${g.dataDir}/${bucket}/${key}`).catch((e) => {
            if (e instanceof Deno.errors.NotFound) return undefined;
            throw e;
          }),
        webIdentityToken: () => sts.issuer.token(),
      };
      await runFlows(pair, t);
    } finally {
      for (const c of conns) c.close();
      await gw?.stop();
      await sts.stop();
    }
    assert.equal(await gw.exited, 0);
  },
});
