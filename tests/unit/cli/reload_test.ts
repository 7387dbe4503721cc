import assert from "node:assert/strict";
import type { LoadedConfig } from "../../../src/cli/load_config.ts";
import { reload } from "../../../src/cli/reload.ts";
import type { Config } from "../../../src/config/types.ts";
import { err, ok } from "../../../src/result.ts";

const CONFIG = { listen: "127.0.0.1:1", buckets: [] } as unknown as Config;

function loads(loaded: LoadedConfig["loaded"]): () => Promise<LoadedConfig> {
  return () => Promise.resolve({ source: { name: "c.yaml", text: "" }, loaded });
}

Deno.test("reload() builds the new config and names its source", async () => {
  const built: Config[] = [];
  const r = await reload({
    load: loads(ok(CONFIG)),
    build: (c) => {
      built.push(c);
      return ok("serving");
    },
  });
  assert.deepEqual(r, { ok: true, value: { serving: "serving", name: "c.yaml" } });
  assert.deepEqual(built, [CONFIG]);
});

Deno.test("reload() refuses a config with problems without building it", async () => {
  let builds = 0;
  const r = await reload({
    load: loads(err([{ path: "buckets[0].name", message: "bad", line: 3, column: 5 }])),
    build: () => {
      builds++;
      return ok("serving");
    },
  });
  assert.deepEqual(r, {
    ok: false,
    error: "reload refused; keeping the old config:\nc.yaml:3:5: buckets[0].name: bad",
  });
  assert.equal(builds, 0);
});

Deno.test("reload() refuses a config whose backends cannot be built", async () => {
  const r = await reload({
    load: loads(ok(CONFIG)),
    build: () => err([{ path: "buckets[1]", message: "no issuer" }]),
  });
  assert.deepEqual(r, {
    ok: false,
    error: "reload refused; keeping the old config:\nc.yaml: buckets[1]: no issuer",
  });
});
