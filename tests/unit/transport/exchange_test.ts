import assert from "node:assert/strict";
import { Exchange } from "../../../src/transport/exchange.ts";
import { Sweeper } from "../../../src/transport/sweeper.ts";
import { keepingAlive, settle, withExchange } from "./_fake_conn.ts";

Deno.test("Exchange.wait() gives the server's answer, or its error, while the exchange holds", async () => {
  await withExchange({}, async (ex) => {
    assert.equal(await ex.wait(Promise.resolve(7)), 7);
    await assert.rejects(ex.wait(Promise.reject(new Error("refused"))), { message: "refused" });
    assert.equal(ex.failed, false);
  });
});

Deno.test("Exchange: a wait on the server longer than timeoutMs fails it with a TimeoutError", async () => {
  await withExchange({ timeoutMs: 20, tickMs: 5 }, async (ex) => {
    const started = Date.now();
    const waiting = ex.wait(new Promise(() => {}));
    await assert.rejects(keepingAlive(() => waiting), (e: unknown) => {
      assert.ok(e instanceof DOMException);
      assert.equal(e.name, "TimeoutError");
      assert.equal(e.message, "backend request timed out after 20 ms");
      return true;
    });
    assert.ok(Date.now() - started >= 20);
    assert.equal(ex.failed, true);
    assert.throws(() => ex.check(), { name: "TimeoutError" });
    await assert.rejects(ex.wait(Promise.resolve(1)), { name: "TimeoutError" });
  });
});

Deno.test("Exchange: time spent outside wait() (the caller's pace) does not count", async () => {
  await withExchange({ timeoutMs: 20, tickMs: 5 }, async (ex) => {
    await settle(60);
    assert.equal(ex.failed, false);
    assert.equal(await ex.wait(settle(5).then(() => "late but fine")), "late but fine");
  });
});

Deno.test("Exchange: an abort fails it with the signal's reason; an aborted signal fails it at once", async () => {
  const ac = new AbortController();
  await withExchange({ signal: ac.signal }, async (ex) => {
    const waiting = ex.wait(new Promise(() => {}));
    ac.abort(new Error("client went away"));
    await assert.rejects(waiting, { message: "client went away" });
    assert.equal(ex.failed, true);
  });
  await withExchange({ signal: AbortSignal.abort(new Error("already")) }, (ex) => {
    assert.equal(ex.failed, true);
    assert.throws(() => ex.check(), { message: "already" });
    return Promise.resolve();
  });
});

Deno.test("Exchange.fail(): the first reason wins; hooks run once, removed ones not at all", async () => {
  await withExchange({}, (ex) => {
    const ran: unknown[] = [];
    ex.onFail((r) => ran.push(["a", r]));
    const remove = ex.onFail((r) => ran.push(["b", r]));
    remove();
    ex.fail("first");
    ex.fail("second");
    assert.deepEqual(ran, [["a", "first"]]);
    assert.throws(() => ex.check(), (e) => e === "first");
    return Promise.resolve();
  });
});

Deno.test("Exchange.end() stops its deadline and ignores a later failure", async () => {
  const sweeper = new Sweeper(5);
  const ex = new Exchange({ sweeper, timeoutMs: 10 });
  let hooked = false;
  ex.onFail(() => void (hooked = true));
  ex.end();
  ex.fail(new Error("late"));
  assert.equal(ex.failed, false);
  assert.equal(hooked, false);
  await settle(30);
  assert.equal(sweeper.tick, 0); // nothing registered: the clock never ran
  sweeper.close();
});
