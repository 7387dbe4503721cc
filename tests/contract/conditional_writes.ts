/**
 * The contract's concurrent conditional writes (issue 25): of N writers with
 * one precondition at once, exactly one wins and every other is refused
 * (412 PreconditionFailed, or 409 ConditionalRequestConflict where the store
 * answers so), many rounds over: If-None-Match: * on a new key, If-Match with
 * one ETag, CopyObject with If-None-Match: *, and DeleteObject with If-Match.
 */
import assert from "node:assert/strict";
import type { Backend, HttpMeta } from "../../src/backends/backend.ts";
import type { Quirk, TestFn } from "./backend_contract.ts";

/** Writers per round. */
export const WRITERS = 8;
/** Rounds per case. */
export const ROUNDS = 10;

const NO_META: HttpMeta = { userMetadata: {} };
const enc = new TextEncoder();
const stream = (s: string) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.encode(s));
      c.close();
    },
  });

/** What one writer got: "ok" or the error's kind. */
type Outcome = string;
const outcome = (r: { ok: boolean; error?: { kind: string } }): Outcome =>
  r.ok ? "ok" : r.error!.kind;
const REFUSED = new Set(["PreconditionFailed", "ConditionalRequestConflict"]);

/** Asserts one winner and every other refused. */
function oneWinner(outcomes: Outcome[], what: string): void {
  const winners = outcomes.filter((o) => o === "ok").length;
  const others = outcomes.filter((o) => o !== "ok" && !REFUSED.has(o));
  assert.equal(winners, 1, `${what}: ${winners} winners (${outcomes.join(" ")})`);
  assert.deepEqual(others, [], `${what}: refused with ${others.join(" ")}`);
}

/** `WRITERS` PUTs of `key` at once, each with its own body and `conditions`. */
function puts(b: Backend, key: string, conditions: { ifMatch?: string; ifNoneMatch?: string }) {
  return Promise.all(
    Array.from(
      { length: WRITERS },
      (_, i) => {
        // Bodies differ in every round, so no two writers ever write the same ETag.
        const body = `${key} by writer ${i} ${crypto.randomUUID()}`;
        return b.put(key, stream(body), { meta: NO_META, conditions });
      },
    ),
  );
}

/** Registers the concurrent conditional-write cases; `ignored`: the store writes regardless. */
export function registerConditionalWrites(test: TestFn, quirks: ReadonlySet<Quirk>): void {
  if (quirks.has("write-conditions-ignored")) {
    test("a store that ignores write conditions lets every concurrent writer win", async (b) => {
      const created = await puts(b, "new-key", { ifNoneMatch: "*" });
      assert.ok(created.filter((r) => r.ok).length > 1, "documented: several winners");
    });
    return;
  }
  test(`${WRITERS} concurrent PUTs with If-None-Match: * then If-Match: one winner each, ${ROUNDS} rounds`, async (b) => {
    for (let round = 0; round < ROUNDS; round++) {
      const key = `race/${round}`;
      const created = await puts(b, key, { ifNoneMatch: "*" });
      oneWinner(created.map(outcome), `round ${round} If-None-Match`);
      const winner = created.find((r) => r.ok)!;
      assert.ok(winner.ok);
      const replaced = await puts(b, key, { ifMatch: winner.value.etag });
      oneWinner(replaced.map(outcome), `round ${round} If-Match`);
      const last = replaced.find((r) => r.ok)!;
      assert.ok(last.ok);
      const got = await b.get(key);
      assert.ok(got.ok);
      const text = await new Response(got.value.body).text();
      assert.equal(
        got.value.meta.etag,
        last.value.etag,
        `round ${round}: the winner's object stays`,
      );
      assert.match(text, new RegExp(`^${key} by writer \\d [0-9a-f-]{36}$`));
    }
  });
  test(`${WRITERS} concurrent CopyObjects with If-None-Match: * onto one key: one winner, ${ROUNDS} rounds`, async (b) => {
    assert.ok((await b.put("source", stream("copied"), { meta: NO_META })).ok);
    for (let round = 0; round < ROUNDS; round++) {
      const copies = await Promise.all(
        Array.from(
          { length: WRITERS },
          () => b.copy("source", `copy/${round}`, { conditions: { ifNoneMatch: "*" } }),
        ),
      );
      const outcomes = copies.map(outcome);
      if (quirks.has("copy-conditions-ignored")) {
        assert.ok(outcomes.every((o) => o === "ok"), "documented: every copy wins");
      } else {
        oneWinner(outcomes, `round ${round}`);
      }
    }
  });
  test("DeleteObject with If-Match deletes only the object it names", async (b) => {
    const put = await b.put("del", stream("v"), { meta: NO_META });
    assert.ok(put.ok);
    const wrong = await b.delete("del", { ifMatch: '"00000000000000000000000000000000"' });
    assert.equal(outcome(wrong), "PreconditionFailed");
    assert.ok((await b.head("del")).ok, "a failed If-Match deletes nothing");
    const deletes = await Promise.all(
      Array.from({ length: WRITERS }, () => b.delete("del", { ifMatch: put.value.etag })),
    );
    const kinds = deletes.map(outcome);
    assert.ok(kinds.includes("ok"), kinds.join(" "));
    assert.ok(
      kinds.every((k) => k === "ok" || k === "NoSuchKey" || REFUSED.has(k)),
      kinds.join(" "),
    );
    assert.equal(outcome(await b.head("del")), "NoSuchKey");
    assert.equal(outcome(await b.delete("del", { ifMatch: put.value.etag })), "NoSuchKey");
  });
  if (!quirks.has("if-match-star-on-write-refused")) {
    test("If-Match: * writes over an object that exists, and deletes it; not an absent one", async (b) => {
      const absent = await b.put("star", stream("1"), {
        meta: NO_META,
        conditions: { ifMatch: "*" },
      });
      assert.equal(outcome(absent), "NoSuchKey");
      assert.ok((await b.put("star", stream("2"), { meta: NO_META })).ok);
      const over = await b.put("star", stream("3"), {
        meta: NO_META,
        conditions: { ifMatch: "*" },
      });
      assert.equal(outcome(over), "ok");
      assert.equal(outcome(await b.delete("star", { ifMatch: "*" })), "ok");
      assert.equal(outcome(await b.delete("star", { ifMatch: "*" })), "NoSuchKey");
    });
  }
}
