import assert from "node:assert/strict";
import { type ConfigSource, loadConfig, policyFileReader } from "../../../src/cli/load_config.ts";
import { BAD_NAME, TWO_BUCKETS } from "./_configs.ts";

const noEnv = () => undefined;

function source(name: string, text: string): (path: string | undefined) => Promise<ConfigSource> {
  return () => Promise.resolve({ name, text });
}

Deno.test("loadConfig() parses the source and keeps the config's listen and domain", async () => {
  const { source: s, loaded } = await loadConfig({}, {
    read: source("c.yaml", TWO_BUCKETS),
    env: noEnv,
  });
  assert.equal(s.name, "c.yaml");
  assert.ok(loaded.ok);
  assert.equal(loaded.value.listen, "127.0.0.1:8080");
  assert.deepEqual(loaded.value.buckets.map((b) => b.name), ["one-bucket", "two-bucket"]);
});

Deno.test("loadConfig() applies --listen and --domain over the config", async () => {
  const { loaded } = await loadConfig(
    { listen: "0.0.0.0:9000", domain: "s3.example.com" },
    { read: source("c.yaml", TWO_BUCKETS), env: noEnv },
  );
  assert.ok(loaded.ok);
  assert.equal(loaded.value.listen, "0.0.0.0:9000");
  assert.equal(loaded.value.domain, "s3.example.com");
});

Deno.test("loadConfig() passes --config to the reader", async () => {
  const asked: (string | undefined)[] = [];
  const read = (path: string | undefined) => {
    asked.push(path);
    return Promise.resolve({ name: path ?? "config.yaml", text: TWO_BUCKETS });
  };
  await loadConfig({ config: "/etc/bucketgate.yaml" }, { read, env: noEnv });
  await loadConfig({}, { read, env: noEnv });
  assert.deepEqual(asked, ["/etc/bucketgate.yaml", undefined]);
});

Deno.test("loadConfig() reads ${VAR}s through the injected environment", async () => {
  const text = TWO_BUCKETS.replace("listen: 127.0.0.1:8080", "listen: ${LISTEN}");
  const env = (name: string) => name === "LISTEN" ? "127.0.0.1:7070" : undefined;
  const { loaded } = await loadConfig({}, { read: source("c.yaml", text), env });
  assert.ok(loaded.ok);
  assert.equal(loaded.value.listen, "127.0.0.1:7070");
});

Deno.test("loadConfig() returns the config's problems under the source's name", async () => {
  const { source: s, loaded } = await loadConfig({}, {
    read: source("bad.yaml", BAD_NAME),
    env: noEnv,
  });
  assert.equal(s.name, "bad.yaml");
  assert.ok(!loaded.ok);
  assert.deepEqual(loaded.error.map((p) => p.path), ["buckets[0].name"]);
});

Deno.test("loadConfig() makes an unreadable source one problem named after --config", async () => {
  const read = () => Promise.reject(new Error("No such file or directory (os error 2)"));
  const named = await loadConfig({ config: "/nope.yaml" }, { read, env: noEnv });
  assert.deepEqual(named, {
    source: { name: "/nope.yaml", text: "" },
    loaded: {
      ok: false,
      error: [{
        path: "",
        message: "cannot read the file: No such file or directory (os error 2)",
      }],
    },
  });
  const unnamed = await loadConfig({}, { read: () => Promise.reject("EACCES"), env: noEnv });
  assert.equal(unnamed.source.name, "config.yaml");
  assert.deepEqual(unnamed.loaded, {
    ok: false,
    error: [{ path: "", message: "cannot read the file: EACCES" }],
  });
});

Deno.test("loadConfig() serves IAM policies and bucket policies, its policy_file read relative to the config", async () => {
  const text = `${TWO_BUCKETS}policies:
  deny-all: { Version: "2012-10-17", Statement: { Effect: Deny, Action: "s3:*", Resource: "*" } }
  from-file: { policy_file: ci.json }
`;
  const asked: string[] = [];
  const readPolicyFile = policyFileReader("/etc/bucketgate/config.yaml", (path) => {
    asked.push(path);
    return '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}';
  });
  const { loaded } = await loadConfig({}, {
    read: source("c.yaml", text),
    env: noEnv,
    readPolicyFile,
  });
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.error));
  assert.deepEqual([...(loaded.value.policies?.keys() ?? [])].sort(), ["deny-all", "from-file"]);
  assert.deepEqual(asked, ["/etc/bucketgate/ci.json"]);
});

Deno.test("policyFileReader() reads a relative path beside the config file, an absolute one as it is", () => {
  const read = (path: string) => path;
  assert.equal(policyFileReader("conf/c.yaml", read)("p.json"), "conf/p.json");
  assert.equal(policyFileReader(undefined, read)("p.json"), "p.json");
  assert.equal(policyFileReader("conf/c.yaml", read)("/abs/p.json"), "/abs/p.json");
});
