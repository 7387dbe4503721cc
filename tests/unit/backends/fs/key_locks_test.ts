import assert from "node:assert/strict";
import type { ProxyError } from "../../../../src/errors.ts";
import { ok, type Result } from "../../../../src/result.ts";
import { createKeyLocks, stripeOf, STRIPES } from "../../../../src/backends/fs/key_locks.ts";
import { withRoot } from "./_support.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("stripeOf() names a key's and an upload's lock file apart, the same every time", () => {
  assert.match(stripeOf({ key: "a/b" }), /^k[0-9a-f]{2}$/);
  assert.match(stripeOf({ upload: "a/b" }), /^u[0-9a-f]{2}$/);
  assert.equal(stripeOf({ key: "x" }), stripeOf({ key: "x" }));
  const names = new Set(Array.from({ length: 5000 }, (_, i) => stripeOf({ key: `k${i}` })));
  assert.equal(names.size, STRIPES, "keys spread over every stripe, and no more");
});

Deno.test("KeyLocks: turns on one key in one isolate run one at a time", async () => {
  await withRoot(async (root) => {
    const locks = createKeyLocks({ base: root });
    let inside = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 8 }, () =>
      locks.hold({ key: "k" }, async () => {
        most = Math.max(most, ++inside);
        await sleep(5);
        inside--;
        return ok(undefined);
      })));
    assert.equal(most, 1);
  });
});

Deno.test("KeyLocks: a turn that does not come in time is 409 ConditionalRequestConflict, and lets go later", async () => {
  await withRoot(async (root) => {
    const locks = createKeyLocks({ base: root, waitMs: 50 });
    let release!: () => void;
    const held = locks.hold(
      { key: "k" },
      () => new Promise<Result<number, ProxyError>>((r) => release = () => r(ok(1))),
    );
    await sleep(10);
    const late = await locks.hold({ key: "k" }, () => Promise.resolve(ok(2)));
    assert.ok(!late.ok && late.error.kind === "ConditionalRequestConflict");
    release();
    assert.deepEqual(await held, ok(1));
    assert.deepEqual(await locks.hold({ key: "k" }, () => Promise.resolve(ok(3))), ok(3));
  });
});

Deno.test("KeyLocks: 2000 keys' turns leave at most STRIPES lock files (none per key)", async () => {
  await withRoot(async (root) => {
    const locks = createKeyLocks({ base: root });
    for (let i = 0; i < 2000; i++) {
      await locks.hold({ key: `k/${i}` }, () => Promise.resolve(ok(i)));
    }
    const files = await Array.fromAsync(Deno.readDir(`${root}/.bucketgate/locks`));
    assert.ok(files.length <= STRIPES, `${files.length} lock files`);
  });
});

/** A child process that takes `path`'s lock, says so, and sleeps. */
function lockingChild(path: string): Deno.ChildProcess {
  const code = `const f = await Deno.open(${
    JSON.stringify(path)
  }, { read: true, write: true, create: true });
await f.lock(true); console.log("locked"); await new Promise(() => setInterval(() => {}, 1000));`;
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    stdout: "piped",
    stderr: "null",
  }).spawn();
}

Deno.test("KeyLocks: another process's turn excludes ours; its SIGKILL leaves no lock behind", async () => {
  await withRoot(async (root) => {
    const locks = createKeyLocks({ base: root, waitMs: 200 });
    await locks.hold({ key: "k" }, () => Promise.resolve(ok(0)));
    const child = lockingChild(`${root}/.bucketgate/locks/${stripeOf({ key: "k" })}`);
    const reader = child.stdout.getReader();
    assert.match(new TextDecoder().decode((await reader.read()).value), /locked/);
    const blocked = await locks.hold({ key: "k" }, () => Promise.resolve(ok(1)));
    assert.ok(!blocked.ok && blocked.error.kind === "ConditionalRequestConflict");
    child.kill("SIGKILL");
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel();
    assert.deepEqual(await locks.hold({ key: "k" }, () => Promise.resolve(ok(2))), ok(2));
  });
});
