import assert from "node:assert/strict";
import { resolveWorkers } from "../../../src/workers/count.ts";

const linux = { cpus: 8, os: "linux" } as const;

Deno.test("resolveWorkers() defaults to one, the config's value next, the flag over both", () => {
  assert.deepEqual(resolveWorkers(linux), { ok: true, value: 1 });
  assert.deepEqual(resolveWorkers({ ...linux, config: 3 }), { ok: true, value: 3 });
  assert.deepEqual(resolveWorkers({ ...linux, config: 3, flag: 2 }), { ok: true, value: 2 });
  assert.deepEqual(resolveWorkers({ ...linux, config: "auto", flag: 1 }), { ok: true, value: 1 });
});

Deno.test("resolveWorkers() auto is one per CPU, at least one, at most 256", () => {
  assert.deepEqual(resolveWorkers({ ...linux, flag: "auto" }), { ok: true, value: 8 });
  assert.deepEqual(resolveWorkers({ ...linux, cpus: 0, config: "auto" }), { ok: true, value: 1 });
  assert.deepEqual(resolveWorkers({ ...linux, cpus: 1024, flag: "auto" }), {
    ok: true,
    value: 256,
  });
});

Deno.test("resolveWorkers() refuses more than one worker off Linux, naming where it came from", () => {
  const mac = { cpus: 8, os: "darwin" } as const;
  assert.deepEqual(resolveWorkers({ ...mac, config: 1 }), { ok: true, value: 1 });
  assert.deepEqual(resolveWorkers({ ...mac, flag: "auto", cpus: 1 }), { ok: true, value: 1 });
  const flag = resolveWorkers({ ...mac, flag: 2 });
  assert.ok(!flag.ok);
  assert.match(
    flag.error,
    /^--workers 2 asks for 2 workers, which need Linux .* on darwin run one/,
  );
  const config = resolveWorkers({ ...mac, config: "auto" });
  assert.ok(!config.ok);
  assert.match(config.error, /^workers: auto asks for 8 workers, which need Linux/);
});
