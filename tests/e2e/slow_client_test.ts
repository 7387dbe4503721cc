/**
 * Slow and idle clients against the real gateway (`client_idle_timeout_secs: 1`,
 * fs buckets): an upload that stalls mid-body, a reader that stops reading,
 * and a client that trickles its request head, each while other clients are
 * served.
 */
import assert from "node:assert/strict";
import { eventually } from "../_support/eventually.ts";
import { fdCount } from "../_support/proc.ts";
import {
  RawClient,
  readRequestTimeout,
  signedRequestHead,
  trickleUpload,
} from "../_support/raw_http.ts";
import { DEV, type Gateway, signedFetch, startGateway } from "./_gateway.ts";

const IDLE_SECS = 1;
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

function startSlowGateway(): Promise<Gateway> {
  return startGateway([], { extraConfig: [`client_idle_timeout_secs: ${IDLE_SECS}`] });
}

/** Paths the gateway process has open (fd link targets). */
async function openPaths(pid: number): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`/proc/${pid}/fd`)) {
    try {
      out.push(await Deno.readLink(`/proc/${pid}/fd/${e.name}`));
    } catch { /* closed meanwhile */ }
  }
  return out;
}

/**
 * Whether process `pid` holds its end of the TCP connection between
 * 127.0.0.1:`serverPort` and 127.0.0.1:`clientPort` (by socket inode).
 */
async function holdsSocket(pid: number, serverPort: number, clientPort: number): Promise<boolean> {
  const hex = (port: number) => `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const table = await Deno.readTextFile("/proc/net/tcp");
  const inodes = table.split("\n").slice(1).map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1] === hex(serverPort) && f[2] === hex(clientPort))
    .map((f) => `socket:[${f[9]}]`);
  const open = await openPaths(pid);
  return inodes.some((i) => open.includes(i));
}

/**
 * A PUT and a GET by another client succeed (the gateway is not blocked). Its
 * connections are not kept, so they do not count in the gateway's descriptors.
 */
async function othersAreServed(gw: Gateway, key: string): Promise<void> {
  using client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  const put = await signedFetch(gw, "PUT", `/private-uploads/${key}`, { body: "fine", client });
  await put.body?.cancel();
  assert.equal(put.status, 200);
  const get = await signedFetch(gw, "GET", `/private-uploads/${key}`, { client });
  assert.equal(await get.text(), "fine");
}

async function listDir(path: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(path))).map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

Deno.test("an upload that stalls mid-body gets RequestTimeout and leaves nothing behind", async () => {
  const gw = await startSlowGateway();
  const client = await RawClient.connect(gw.port);
  try {
    await othersAreServed(gw, "warm-up.txt"); // the fs backend's directories exist
    const tmpDir = `${gw.dataDir}/private-uploads/.bucketgate/tmp`;
    const baseline = await fdCount(gw.pid);
    const length = 4 * 1024 * 1024;
    await client.write(
      await signedRequestHead(gw.port, DEV, {
        method: "PUT",
        path: "/private-uploads/stalled.bin",
        headers: { "content-length": String(length) },
      }),
    );
    await client.write(new Uint8Array(256 * 1024).fill(7)); // then nothing more
    const stalledAt = Date.now();
    // While this upload is stalled, the temp file exists and others are served.
    assert.ok(
      await eventually(async () => (await listDir(tmpDir)).length === 1, 2000),
      "the upload is being spooled",
    );
    await othersAreServed(gw, "meanwhile.txt");

    const { body, headAt } = await readRequestTimeout(client, IDLE_SECS * 1000 + 4000);
    const waited = headAt - stalledAt;
    assert.match(body, /not read from or written to within the timeout period/);
    assert.ok(waited >= IDLE_SECS * 1000 - 100, `answered after ${waited} ms`);

    assert.deepEqual(await listDir(tmpDir), [], "temp file removed");
    const missing = await signedFetch(gw, "HEAD", "/private-uploads/stalled.bin");
    assert.equal(missing.status, 404, "no object");
    await gw.waitForLog(/PUT \/private-uploads\/stalled\.bin 400 RequestTimeout/);

    // Deno.serve keeps the socket until the client closes it or sends the
    // rest of the body (it reads and drops a body left unread, without a
    // deadline); once the client closes, every descriptor is released.
    client.close();
    assert.ok(
      await eventually(async () => (await fdCount(gw.pid)) <= baseline, 3000),
      `fd count back to ${baseline}: now ${await fdCount(gw.pid)}`,
    );
  } finally {
    client.close();
    await gw.stop();
  }
});

Deno.test("a slow but steady upload is not cut", async () => {
  const gw = await startSlowGateway();
  const client = await RawClient.connect(gw.port);
  try {
    const piece = new Uint8Array(16 * 1024).fill(1);
    const pieces = 8; // one every 400 ms: 3.2 s in all, over three idle timeouts
    await trickleUpload(client, gw.port, DEV, "/private-uploads/slow.bin", piece, pieces, 400);
    const head = await client.readHead(5000);
    assert.equal(head.status, 200);
    const stat = await Deno.stat(`${gw.dataDir}/private-uploads/slow.bin`);
    assert.equal(stat.size, piece.length * pieces);
  } finally {
    client.close();
    await gw.stop();
  }
});

Deno.test("a reader that stops reading is cut: the object's file is closed, then its socket", async () => {
  const gw = await startSlowGateway();
  const size = 64 * 1024 * 1024; // far more than the socket buffers hold
  const path = `${gw.dataDir}/public-data/big.bin`;
  await Deno.writeFile(path, new Uint8Array(size).fill(9));
  const client = await RawClient.connect(gw.port);
  try {
    await othersAreServed(gw, "warm-up.txt");
    {
      using once = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
      const etag = await fetch(`${gw.url}/public-data/big.bin`, { method: "HEAD", client: once });
      await etag.body?.cancel(); // the fs backend computes the object's ETag now
    }
    await sleep(200);
    const baseline = await fdCount(gw.pid);
    await client.write(`GET /public-data/big.bin HTTP/1.1\r\nhost: 127.0.0.1:${gw.port}\r\n\r\n`);
    const head = await client.readHead(3000);
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers.get("content-length")), size);
    let received = (await client.readBody(1024 * 1024, 3000)).length; // then stop reading
    const stoppedAt = Date.now();
    const fileOpen = async () => (await openPaths(gw.pid)).includes(path);
    assert.equal(await fileOpen(), true, "the object is open while it is being sent");
    await othersAreServed(gw, "meanwhile.txt");

    assert.ok(
      await eventually(async () => !(await fileOpen()), IDLE_SECS * 1000 + 4000),
      "the gateway closed the object's file",
    );
    const cutAfter = Date.now() - stoppedAt;
    assert.ok(cutAfter >= IDLE_SECS * 1000 - 100, `file closed after ${cutAfter} ms`);
    // The socket is still there: Deno.serve cannot close a connection whose
    // peer does not read (its pending write has no deadline), so it stays until
    // the client reads again or goes away.
    assert.equal(await holdsSocket(gw.pid, gw.port, client.localPort), true);
    await othersAreServed(gw, "after-cut.txt");

    // When the client reads again it gets what was already buffered, then
    // the end of the connection: a short body, never a silent truncation.
    const rest = await client.drain(10_000);
    received += rest.bytes;
    assert.equal(rest.ended, true, "the server ended the connection");
    assert.ok(received < size, `received ${received} of ${size} bytes`);
    assert.ok(
      await eventually(async () => !(await holdsSocket(gw.pid, gw.port, client.localPort)), 3000),
      "the gateway closed its socket",
    );
    assert.ok(
      await eventually(async () => (await fdCount(gw.pid)) <= baseline, 3000),
      `fd count back to ${baseline}: now ${await fdCount(gw.pid)}`,
    );
    assert.match(gw.logs(), /response body failed: RequestTimeout/);
  } finally {
    client.close();
    await gw.stop();
  }
});

// Measured on Deno 2.9.6: Deno.serve's HTTP/1.1 server has no deadline for a
// request head (a head of one byte per second stayed open for the 75 s we
// watched), and nothing in Deno.serve's options sets one; only the 64 KiB
// head limit ends it. This test pins that behavior down: if a Deno upgrade
// adds a deadline, it fails, and docs/errors-and-limits.md must change.
Deno.test("a request head trickled one byte a second is not cut (Deno.serve has no head deadline)", async () => {
  const gw = await startSlowGateway();
  await othersAreServed(gw, "warm-up.txt");
  await sleep(200);
  const baseline = await fdCount(gw.pid);
  const trickler = await RawClient.connect(gw.port);
  const silent = await RawClient.connect(gw.port);
  try {
    const request = `GET /public-data/none.txt HTTP/1.1\r\nhost: 127.0.0.1:${gw.port}\r\n`;
    const seconds = 3 * IDLE_SECS + 3;
    for (let i = 0; i < seconds; i++) {
      await trickler.write(request[i]!);
      assert.equal(await trickler.read(1000), "timeout", `answered or closed after ${i + 1} s`);
      if (i === 2) await othersAreServed(gw, "meanwhile.txt");
    }
    assert.equal(await silent.read(10), "timeout", "a connection that sent nothing is open too");
    assert.equal(await fdCount(gw.pid), baseline + 2, "both sockets held");
    // The trickled head is still a request once it is complete.
    await trickler.write(request.slice(seconds) + "\r\n");
    const head = await trickler.readHead(3000);
    assert.equal(head.status, 404);
    trickler.close();
    silent.close();
    assert.ok(
      await eventually(async () => (await fdCount(gw.pid)) <= baseline, 3000),
      `fd count back to ${baseline}: now ${await fdCount(gw.pid)}`,
    );
  } finally {
    trickler.close();
    silent.close();
    await gw.stop();
  }
});
