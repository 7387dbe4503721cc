/**
 * Conditional writes are linearizable on the fs backend (issue 25), through
 * the real gateway process: 8 concurrent writers × 25 rounds, with
 * `If-None-Match: *` on a new key and with `If-Match` and one ETag; exactly
 * one writer of each round gets 200, every other 412, and the key then holds
 * the winner's bytes with the winner's ETag. Meanwhile readers compare each
 * answer's ETag with the MD5 of its body. Three layouts over one directory:
 * `--workers 1`, `--workers 2`, and two gateway processes.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { type Gateway, type GatewayOptions, signedFetch, startGateway } from "./_gateway.ts";

const WRITERS = 8;
const ROUNDS = 25;
const BUCKET = "private-uploads";

const md5 = (b: Uint8Array) => `"${createHash("md5").update(b).digest("hex")}"`;

/** One answer of a conditional PUT: its status and, on 200, the ETag. */
interface Answer {
  readonly status: number;
  readonly etag: string | null;
  readonly body: Uint8Array;
}

/** A writer's client: its own connections (so writers reach different workers). */
function clients(n: number): Deno.HttpClient[] {
  return Array.from({ length: n }, () => Deno.createHttpClient({ poolMaxIdlePerHost: 1 }));
}

async function put(
  gw: Gateway,
  client: Deno.HttpClient,
  key: string,
  body: Uint8Array,
  headers: Record<string, string>,
): Promise<Answer> {
  const res = await signedFetch(gw, "PUT", `/${BUCKET}/${key}`, { body, headers, client });
  await res.body?.cancel();
  return { status: res.status, etag: res.headers.get("etag"), body };
}

/** One round: `WRITERS` writers at once with the same precondition; returns the answers. */
async function round(
  gws: readonly Gateway[],
  cs: readonly Deno.HttpClient[],
  key: string,
  headers: Record<string, string>,
): Promise<Answer[]> {
  return await Promise.all(cs.map((c, i) => {
    const body = new TextEncoder().encode(`${key} writer ${i} ${crypto.randomUUID()}`);
    return put(gws[i % gws.length]!, c, key, body, headers);
  }));
}

/** Asserts one 200 and the rest 412; returns the winner. */
function oneWinner(answers: Answer[], what: string): Answer {
  const statuses = answers.map((a) => a.status).sort();
  const winners = answers.filter((a) => a.status === 200);
  assert.deepEqual(
    statuses,
    [200, ...Array(WRITERS - 1).fill(412)],
    `${what}: want exactly one 200 and ${WRITERS - 1} × 412, got ${statuses.join(" ")}`,
  );
  return winners[0]!;
}

/** Reads `key` until `stop`; fails on an answer whose ETag is not its body's MD5. */
async function reader(gw: Gateway, key: () => string, stop: () => boolean): Promise<number> {
  let checked = 0;
  while (!stop()) {
    const res = await signedFetch(gw, "GET", `/${BUCKET}/${key()}`);
    if (res.status === 404) {
      await res.body?.cancel();
      continue;
    }
    const body = new Uint8Array(await res.arrayBuffer());
    assert.equal(res.status, 200);
    assert.equal(
      res.headers.get("etag"),
      md5(body),
      "a reader saw one writer's bytes with another's ETag",
    );
    checked++;
  }
  return checked;
}

/** `WRITERS` DELETEs of `key` at once with `If-Match: etag`: one 204, every other 404. */
async function deletes(
  gws: readonly Gateway[],
  cs: readonly Deno.HttpClient[],
  key: string,
  etag: string,
): Promise<void> {
  const statuses = await Promise.all(cs.map(async (client, i) => {
    const res = await signedFetch(gws[i % gws.length]!, "DELETE", `/${BUCKET}/${key}`, {
      headers: { "if-match": etag },
      client,
    });
    await res.body?.cancel();
    return res.status;
  }));
  assert.deepEqual(
    statuses.sort(),
    [204, ...Array(WRITERS - 1).fill(404)],
    `DELETE If-Match of ${key}`,
  );
}

/** The rounds of both kinds over `gws` (one directory). */
async function rounds(gws: readonly Gateway[]): Promise<void> {
  const cs = clients(WRITERS);
  let current = "none";
  let done = false;
  const readers = gws.map((gw) => reader(gw, () => current, () => done));
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const key = `cond/${crypto.randomUUID()}`;
      current = key;
      const created = oneWinner(
        await round(gws, cs, key, { "if-none-match": "*" }),
        `round ${r} If-None-Match`,
      );
      const replaced = oneWinner(
        await round(gws, cs, key, { "if-match": created.etag! }),
        `round ${r} If-Match`,
      );
      const res = await signedFetch(gws[0]!, "GET", `/${BUCKET}/${key}`);
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), replaced.body);
      assert.equal(res.headers.get("etag"), replaced.etag);
      if (r % 5 === 0) await deletes(gws, cs, key, replaced.etag!);
    }
  } finally {
    done = true;
    const checked = await Promise.all(readers);
    for (const c of cs) c.close();
    assert.ok(checked.every((n) => n > 0), `every reader read (${checked.join(", ")})`);
  }
}

/** The gateway's options with every bucket rooted under `shared`. */
function over(shared: string, args: string[]): GatewayOptions {
  return {
    args,
    bucketEntry: (name, anon) =>
      `{ name: ${name}, backend_type: fs, anonymous_access: ${anon}, backend_options: { root: ${shared}/${name} } }`,
  };
}

async function withGateways(args: string[], count: number, f: (gws: Gateway[]) => Promise<void>) {
  const shared = await Deno.makeTempDir({ prefix: "bucketgate-cond-" });
  const gws: Gateway[] = [];
  try {
    for (let i = 0; i < count; i++) gws.push(await startGateway([], over(shared, args)));
    await f(gws);
  } finally {
    for (const gw of gws) await gw.stop();
    await Deno.remove(shared, { recursive: true }).catch(() => {});
  }
}

Deno.test("fs conditional writes: one winner of 8, 25 rounds, --workers 1", async () => {
  await withGateways(["--workers", "1"], 1, rounds);
});

Deno.test("fs conditional writes: one winner of 8, 25 rounds, --workers 2", async () => {
  await withGateways(["--workers", "2"], 1, rounds);
});

Deno.test("fs conditional writes: one winner of 8, 25 rounds, two processes over one directory", async () => {
  await withGateways([], 2, rounds);
});
