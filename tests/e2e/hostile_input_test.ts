/**
 * Hostile input against the real gateway process, over raw sockets so every
 * byte is the test's: 1 GiB XML bodies (DeleteObjects and
 * CompleteMultipartUpload, with a declared Content-Length and chunked without
 * one) are refused promptly with 400 MalformedXML and never buffered; header
 * floods (many headers, one huge header, hundreds of large-header requests at
 * once) get precise 400s; the gateway's RSS stays bounded, its descriptors come
 * back, and it keeps serving.
 *
 * Two layers answer a header flood. Deno.serve refuses a request head of more
 * than 64 KiB or 128 headers before bucketgate sees it (a bare 400 and the
 * connection closed: Deno 2.9.6); bucketgate refuses a header section over
 * 16 KiB with S3's 400 RequestHeaderSectionTooLarge.
 */
import assert from "node:assert/strict";
import { DEV, signedFetch, signedHeaders, startGateway } from "./_gateway.ts";
import { signedRequestHead } from "../_support/raw_http.ts";
import { fdCount, memory } from "../_support/proc.ts";
import { tally } from "../_support/tally.ts";
import { concatBytes } from "../_support/bytes.ts";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
/** How far the gateway's peak RSS may rise above its RSS before the test (a buffered body: 1 GiB). */
const PEAK_GROWTH_LIMIT = 96 * MiB;
/** The answer must come before the client has sent this much (it comes after ~2-10 MiB here). */
const PROMPT_BYTES = 128 * MiB;
/** How long a client waits for an answer before the test calls it left hanging. */
const ANSWER_TIMEOUT_MS = 30_000;

const enc = new TextEncoder();
const dec = new TextDecoder();

/** An HTTP response read off a raw socket. */
interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** What a raw exchange saw. */
interface Exchange {
  /** The answer, or undefined when none came in time (or the connection ended first). */
  readonly answer?: RawAnswer;
  /** Milliseconds from the first byte sent to the whole answer. */
  readonly answeredMs: number;
  /** Body bytes sent when the answer was complete. */
  readonly sentBeforeAnswer: number;
  /** Body bytes sent in all. */
  readonly sent: number;
  /** Whether the gateway closed the connection (EOF or reset) within the wait. */
  readonly closed: boolean;
}

/** Parses a complete response (head and Content-Length body) at the start of `text`. */
function parseAnswer(text: string): RawAnswer | undefined {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? "")?.[1]);
  const headers = new Headers();
  for (const l of lines) {
    const colon = l.indexOf(":");
    if (colon > 0) headers.append(l.slice(0, colon).trim(), l.slice(colon + 1).trim());
  }
  const length = Number(headers.get("content-length") ?? "0");
  const body = text.slice(end + 4);
  if (enc.encode(body).length < length) return undefined;
  return { status, headers, body };
}

/** Options of `exchange`. */
interface ExchangeOptions {
  /** The request head, up to and including the blank line. */
  readonly head: string;
  /** Body bytes to send: `first`, then `piece` repeated, `total` bytes in all. */
  readonly body?: {
    readonly first: Uint8Array;
    readonly piece: Uint8Array;
    readonly total: number;
    /** Frame as `Transfer-Encoding: chunked`. */
    readonly chunked: boolean;
    /** Keep sending after the answer (as a client that sends everything first would). */
    readonly afterAnswer: boolean;
  };
  /** After the answer, how long to wait for the gateway to close the connection. @default 0 */
  readonly closeWaitMs?: number;
}

/**
 * Sends a request byte for byte while reading the answer at the same time,
 * the way a client that streams a body and watches for an early answer does.
 */
async function exchange(port: number, o: ExchangeOptions): Promise<Exchange> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const started = performance.now();
  let sent = 0;
  let answer: RawAnswer | undefined;
  let answeredMs = NaN;
  let sentBeforeAnswer = NaN;
  let ended = false;
  let closed = false;
  let onAnswer!: () => void;
  const answered = new Promise<void>((r) => (onAnswer = r));
  const reading = (async () => {
    const buf = new Uint8Array(64 * KiB);
    let text = "";
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        text += dec.decode(buf.subarray(0, n));
        if (!answer && (answer = parseAnswer(text))) {
          answeredMs = performance.now() - started;
          sentBeforeAnswer = sent;
          onAnswer();
        }
      }
      closed = true;
    } catch (e) {
      // A reset is the gateway closing too; our own close (on timeout) is not.
      closed = e instanceof Deno.errors.ConnectionReset;
    } finally {
      ended = true;
      onAnswer();
    }
  })();
  const writeAll = async (bytes: Uint8Array) => {
    let at = 0;
    while (at < bytes.length) at += await conn.write(bytes.subarray(at));
  };
  const timer = setTimeout(() => {
    try {
      conn.close();
    } catch { /* closed */ }
  }, ANSWER_TIMEOUT_MS);
  try {
    await writeAll(enc.encode(o.head));
    const b = o.body;
    if (b) {
      const frame = (bytes: Uint8Array) =>
        b.chunked
          ? concatBytes([enc.encode(`${bytes.length.toString(16)}\r\n`), bytes, enc.encode("\r\n")])
          : bytes;
      await writeAll(frame(b.first));
      sent = b.first.length;
      const framed = frame(b.piece);
      while (sent < b.total && !ended && (b.afterAnswer || !answer)) {
        const n = Math.min(b.piece.length, b.total - sent);
        await writeAll(n === b.piece.length ? framed : frame(b.piece.subarray(0, n)));
        sent += n;
      }
      if (b.chunked && sent === b.total && !ended) await writeAll(enc.encode("0\r\n\r\n"));
    }
  } catch {
    // The gateway stopped reading and closed or reset: the answer may still be there.
  }
  await answered;
  if (answer && !ended && o.closeWaitMs) {
    await Promise.race([reading, new Promise((r) => setTimeout(r, o.closeWaitMs))]);
  }
  clearTimeout(timer);
  try {
    conn.close();
  } catch { /* closed */ }
  await reading;
  return {
    ...(answer ? { answer } : {}),
    answeredMs,
    sentBeforeAnswer,
    sent,
    closed,
  };
}

/** Samples the gateway's RSS every 50 ms until stopped; returns the largest sample. */
function sampleRss(pid: number): () => Promise<number> {
  let max = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      max = Math.max(max, await memory(pid).catch(() => 0));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return max;
  };
}

/** Body of `bytes` bytes made of `unit` repeated (about 64 KiB). */
function pieceOf(unit: string): Uint8Array {
  return enc.encode(unit.repeat(Math.ceil(64 * KiB / unit.length)));
}

/** The S3 error code of an XML body. */
const codeOf = (body: string) => /<Code>([^<]+)<\/Code>/.exec(body)?.[1];

const mib = (b: number) => (b / MiB).toFixed(1);

Deno.test({
  name:
    "a 1 GiB XML body (DeleteObjects, CompleteMultipartUpload; Content-Length or chunked) is refused promptly with MalformedXML, never buffered",
  async fn() {
    const gw = await startGateway();
    try {
      // An object DeleteObjects must not touch, and an upload Complete must not complete.
      let res = await signedFetch(gw, "PUT", "/private-uploads/k", { body: "keep" });
      assert.equal(res.status, 200, await res.text());
      res = await signedFetch(gw, "POST", "/private-uploads/mp", { query: { uploads: "" } });
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await res.text())![1]!;
      const rssBefore = await memory(gw.pid);
      const deleteBody = pieceOf("<Object><Key>k</Key></Object>");
      const completeBody = pieceOf('<Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part>');
      const cases = [
        { op: "DeleteObjects", path: "/private-uploads", query: { delete: "" } },
        { op: "CompleteMultipartUpload", path: "/private-uploads/mp", query: { uploadId } },
      ].flatMap((c) =>
        [
          // A declared 1 GiB, the client sending all of it; chunked, stopping at the answer.
          { ...c, framing: "length", afterAnswer: true },
          { ...c, framing: "chunked", afterAnswer: false },
          // And the other way round.
          { ...c, framing: "length", afterAnswer: false },
          { ...c, framing: "chunked", afterAnswer: true },
        ] as const
      );
      const figures: string[] = [];
      for (const { op, path, query, framing, afterAnswer } of cases) {
        const what = `${op} (${framing}${afterAnswer ? ", sending on" : ""})`;
        const head = await signedRequestHead(gw.port, DEV, {
          method: "POST",
          path,
          query,
          ...(framing === "chunked"
            ? { chunked: true }
            : { headers: { "content-length": String(GiB) } }),
        });
        const [first, piece] = op === "DeleteObjects"
          ? ["<Delete>", deleteBody]
          : ["<CompleteMultipartUpload>", completeBody];
        const stop = sampleRss(gw.pid);
        const x = await exchange(gw.port, {
          head,
          body: {
            first: enc.encode(first),
            piece,
            total: GiB,
            chunked: framing === "chunked",
            afterAnswer,
          },
        });
        const peakSampled = await stop();
        assert.ok(
          x.answer,
          `${what}: no answer within ${ANSWER_TIMEOUT_MS} ms (sent ${mib(x.sent)} MiB)`,
        );
        const { status, headers, body } = x.answer;
        assert.equal(status, 400, `${what}: ${body}`);
        assert.equal(codeOf(body), "MalformedXML", `${what}: ${body}`);
        assert.match(body, /body is larger than \d+ bytes/, what);
        assert.ok(body.includes(`<RequestId>${headers.get("x-amz-request-id")}</RequestId>`), what);
        assert.ok(
          x.sentBeforeAnswer < PROMPT_BYTES,
          `${what}: answered only after ${mib(x.sentBeforeAnswer)} MiB`,
        );
        if (afterAnswer) assert.equal(x.sent, GiB, `${what}: the whole GiB went out`);
        figures.push(
          `${what}: ${x.answeredMs.toFixed(0)} ms after ${mib(x.sentBeforeAnswer)} MiB, ` +
            `${mib(x.sent)} MiB sent, RSS ≤ ${mib(peakSampled)} MiB`,
        );
        tally("inputs", "hostile input: 1 GiB XML bodies refused");
      }
      const peak = await memory(gw.pid, "VmHWM");
      // deno-lint-ignore no-console -- the measurements are the point
      console.log(
        `1 GiB XML bodies: RSS before ${mib(rssBefore)} MiB, peak ${mib(peak)} MiB\n  ` +
          figures.join("\n  "),
      );
      assert.ok(
        peak - rssBefore < PEAK_GROWTH_LIMIT,
        `peak RSS rose from ${mib(rssBefore)} to ${mib(peak)} MiB`,
      );
      // Nothing was deleted or completed, and the gateway still serves.
      res = await signedFetch(gw, "GET", "/private-uploads/k");
      assert.equal(await res.text(), "keep");
      res = await signedFetch(gw, "HEAD", "/private-uploads/mp");
      assert.equal(res.status, 404);
      res = await signedFetch(gw, "GET", "/private-uploads", { query: { uploads: "" } });
      assert.match(await res.text(), new RegExp(`<UploadId>${uploadId}</UploadId>`));
      tally("objects", "hostile input: object untouched by a refused DeleteObjects");
    } finally {
      await gw.stop();
    }
  },
});

Deno.test({
  name:
    "a streaming fetch() client posting 1 GiB to DeleteObjects gets its 400 MalformedXML while still sending",
  async fn() {
    const gw = await startGateway();
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    try {
      const headers = await signedHeaders(gw.port, "POST", "/private-uploads", { delete: "" }, {
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
      });
      const piece = pieceOf("<Object><Key>k</Key></Object>");
      let sent = 0;
      let stop = false;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (stop || sent >= GiB) return c.close();
          sent += piece.length;
          c.enqueue(piece.slice());
        },
      }, { highWaterMark: 0 });
      const started = performance.now();
      const res = await fetch(`${gw.url}/private-uploads?delete`, {
        method: "POST",
        headers,
        body,
        client,
        signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
      });
      const took = performance.now() - started;
      const atAnswer = sent;
      stop = true;
      const text = await res.text();
      assert.equal(res.status, 400, text);
      assert.equal(codeOf(text), "MalformedXML");
      assert.ok(atAnswer < PROMPT_BYTES, `answered after ${mib(atAnswer)} MiB`);
      // deno-lint-ignore no-console -- the measurement is the point
      console.log(
        `fetch() streaming 1 GiB: answered in ${took.toFixed(0)} ms after ${mib(atAnswer)} MiB`,
      );
      tally("inputs", "hostile input: 1 GiB XML bodies refused");
    } finally {
      client.close();
      await gw.stop();
    }
  },
});

/** A request head for an anonymous GET of a missing public object, with `extra` header lines. */
function floodHead(extra: readonly string[]): string {
  return ["GET /public-data/missing HTTP/1.1", "host: 127.0.0.1", ...extra, "", ""].join("\r\n");
}

/** Asserts bucketgate's own refusal: 400 RequestHeaderSectionTooLarge in S3 XML. */
function assertS3TooLarge(x: Exchange, what: string) {
  assert.ok(x.answer, `${what}: no answer`);
  assert.equal(x.answer.status, 400, `${what}: ${x.answer.body}`);
  assert.equal(codeOf(x.answer.body), "RequestHeaderSectionTooLarge", `${what}: ${x.answer.body}`);
  const id = x.answer.headers.get("x-amz-request-id");
  assert.ok(id && x.answer.body.includes(`<RequestId>${id}</RequestId>`), what);
}

/** Asserts Deno.serve's refusal of a head it will not parse: 400 or 431, then the connection closed. */
function assertTransportRefusal(x: Exchange, what: string) {
  assert.ok(x.answer, `${what}: no answer`);
  assert.ok([400, 431].includes(x.answer.status), `${what}: ${x.answer.status}`);
  assert.ok(x.closed, `${what}: the connection stayed open`);
}

/** Asserts a served request: the missing object's 404 NoSuchKey. */
function assertServed(x: Exchange, what: string) {
  assert.ok(x.answer, `${what}: no answer`);
  assert.equal(x.answer.status, 404, `${what}: ${x.answer.body}`);
  assert.equal(codeOf(x.answer.body), "NoSuchKey", what);
}

const header = (name: string, bytes: number) => `${name}: ${"h".repeat(bytes)}`;

Deno.test({
  name:
    "header floods (many headers, one huge header, hundreds at once) get precise 400s; RSS bounded, descriptors back, still serving",
  async fn() {
    const gw = await startGateway();
    // Deno closes the connections it refuses; wait for that only where it is expected.
    const ex = (extra: readonly string[], refused = false) =>
      exchange(gw.port, { head: floodHead(extra), ...(refused ? { closeWaitMs: 5000 } : {}) });
    try {
      // Within both limits: served.
      assertServed(await ex([header("x-a", 15 * KiB)]), "one 15 KiB header");
      assertServed(
        await ex(Array.from({ length: 120 }, (_, i) => header(`x-h${i}`, 16))),
        "120 small headers",
      );
      // Over bucketgate's 16 KiB, within Deno's 64 KiB: S3's precise answer.
      for (
        const [what, extra] of [
          ["one 17 KiB header", [header("x-a", 17 * KiB)]],
          ["one 60 KiB header", [header("x-a", 60 * KiB)]],
          [
            "100 headers of 200 bytes",
            Array.from({ length: 100 }, (_, i) => header(`x-h${i}`, 200)),
          ],
          [
            "x-amz-meta headers over 16 KiB",
            Array.from({ length: 20 }, (_, i) => header(`x-amz-meta-m${i}`, 1000)),
          ],
        ] as const
      ) {
        assertS3TooLarge(await ex(extra), what);
        tally("inputs", "hostile input: header flood requests refused");
      }
      // Over Deno's limits: refused before the handler, connection closed.
      for (
        const [what, extra] of [
          ["200 headers", Array.from({ length: 200 }, (_, i) => header(`x-h${i}`, 4))],
          ["10,000 headers", Array.from({ length: 10_000 }, (_, i) => header(`x-h${i}`, 4))],
          ["one 1 MiB header", [header("x-a", MiB)]],
          ["one 8 MiB header", [header("x-a", 8 * MiB)]],
        ] as const
      ) {
        assertTransportRefusal(await ex(extra, true), what);
        tally("inputs", "hostile input: header flood requests refused");
      }

      // Waves of 250 connections at once: 100 allowed, 100 over 16 KiB, 50 over 64 KiB.
      const fdsBefore = await fdCount(gw.pid);
      const rssBefore = await memory(gw.pid);
      const stop = sampleRss(gw.pid);
      const started = performance.now();
      let requests = 0;
      for (let wave = 0; wave < 4; wave++) {
        const all = await Promise.all(Array.from({ length: 250 }, (_, i) => {
          const kind = i % 5 < 2 ? "ok" : i % 5 < 4 ? "s3" : "deno";
          const size = kind === "ok" ? 15 * KiB : kind === "s3" ? 40 * KiB : 256 * KiB;
          return ex([header("x-a", size), `x-wave: ${wave}-${i}`], kind === "deno")
            .then((x) => ({ kind, x }));
        }));
        for (const { kind, x } of all) {
          const what = `wave ${wave}, ${kind}`;
          if (kind === "ok") assertServed(x, what);
          else if (kind === "s3") assertS3TooLarge(x, what);
          else assertTransportRefusal(x, what);
        }
        requests += all.length;
        tally("inputs", "hostile input: header flood requests refused", 150);
      }
      const took = performance.now() - started;
      const peakSampled = await stop();
      const peak = await memory(gw.pid, "VmHWM");
      let fdsAfter = await fdCount(gw.pid);
      for (let i = 0; i < 50 && fdsAfter > fdsBefore + 5; i++) {
        await new Promise((r) => setTimeout(r, 100));
        fdsAfter = await fdCount(gw.pid);
      }
      // deno-lint-ignore no-console -- the measurements are the point
      console.log(
        `header flood: ${requests} requests (250 at once) in ${took.toFixed(0)} ms; ` +
          `RSS ${mib(rssBefore)} → sampled max ${mib(peakSampled)}, peak ${mib(peak)} MiB; ` +
          `fds ${fdsBefore} → ${fdsAfter}`,
      );
      assert.ok(peak - rssBefore < PEAK_GROWTH_LIMIT, `peak RSS ${mib(peak)} MiB`);
      assert.ok(fdsAfter <= fdsBefore + 5, `descriptors ${fdsBefore} → ${fdsAfter}`);
      // Still serving, signed and anonymous.
      const put = await signedFetch(gw, "PUT", "/private-uploads/after.txt", { body: "after" });
      assert.equal(put.status, 200, await put.text());
      const got = await signedFetch(gw, "GET", "/private-uploads/after.txt");
      assert.equal(await got.text(), "after");
      tally("objects", "hostile input: written and read back after a flood");
    } finally {
      await gw.stop();
    }
  },
});
