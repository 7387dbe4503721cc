import assert from "node:assert/strict";
import { SETTING_KEYS } from "../../../src/config/settings.ts";
import { configOf, onlyProblem, problemsOf, withData } from "./_helpers.ts";

/** A config with one top-level setting in front of the `data` bucket. */
const setting = (line: string) => `${line}\n${withData("")}`;

Deno.test("parseConfig() reports unknown top-level keys with a suggestion", () => {
  onlyProblem(setting("max_body_byte: 10"), {
    path: "max_body_byte",
    message: /^unknown key \(did you mean max_body_bytes\?\)$/,
    line: 1,
    column: 1,
  });
  onlyProblem(setting("frobnicate: true"), { path: "frobnicate", message: /^unknown key$/ });
});

Deno.test("parseConfig() reads every key of SETTING_KEYS: a mapping there is a problem at its path", () => {
  for (const key of SETTING_KEYS) {
    const paths = problemsOf(setting(`${key}: { a: 1 }`)).map((p) => p.path);
    assert.deepEqual(paths, [key], key);
  }
});

Deno.test("parseConfig() checks listen as HOST:PORT", () => {
  for (const ok of ["127.0.0.1:8080", "0.0.0.0:80", "localhost:9000", "[::]:8080", "[::1]:0"]) {
    assert.equal(configOf(setting(`listen: "${ok}"`)).listen, ok);
  }
  for (const bad of ["8080", "127.0.0.1", ":8080", "host:port", "::1:8080", "[zz]:80", "a b:1"]) {
    onlyProblem(setting(`listen: "${bad}"`), {
      path: "listen",
      message: /is not HOST:PORT \(e\.g\. 127\.0\.0\.1:8080 or \[::\]:8080\)$/,
      line: 1,
      column: 9,
    });
  }
  onlyProblem(setting("listen: 127.0.0.1:70000"), {
    path: "listen",
    message: /port must be from 0 to 65535/,
  });
});

Deno.test("parseConfig() checks max_body_bytes as a positive integer", () => {
  assert.equal(configOf(setting("max_body_bytes: 1")).maxBodyBytes, 1);
  for (const bad of ["0", "-1", "1.5", '"100"', "lots", "[]"]) {
    onlyProblem(setting(`max_body_bytes: ${bad}`), {
      path: "max_body_bytes",
      message: /^must be an integer of at least 1, not /,
      line: 1,
      column: 17,
    });
  }
});

Deno.test("parseConfig() reads upload_buffer_bytes as an integer of at least 0, default 32 MiB", () => {
  assert.equal(configOf(setting("")).uploadBufferBytes, 32 * 1024 * 1024);
  assert.equal(configOf(setting("upload_buffer_bytes: 0")).uploadBufferBytes, 0);
  assert.equal(
    configOf(setting("upload_buffer_bytes: 268435456")).uploadBufferBytes,
    256 * 1024 * 1024,
  );
  for (const bad of ["-1", "1.5", "lots", "[]"]) {
    onlyProblem(setting(`upload_buffer_bytes: ${bad}`), {
      path: "upload_buffer_bytes",
      message: /^must be an integer of at least 0, not /,
      line: 1,
      column: 22,
    });
  }
});

Deno.test("parseConfig() reads owner_id, owner_display_name and region, with defaults", () => {
  const c = configOf(
    `owner_id: "123456"\nowner_display_name: Ops\nregion: eu-west-3\n${withData("")}`,
  );
  assert.equal(c.ownerId, "123456");
  assert.equal(c.ownerDisplayName, "Ops");
  assert.equal(c.region, "eu-west-3");
  const n = configOf("owner_id: 000123\n" + withData(""));
  assert.equal(n.ownerId, "000123", "a number keeps its source text");
  onlyProblem(setting('owner_id: ""'), { path: "owner_id", message: /^must not be empty$/ });
  onlyProblem(setting("region: US East"), {
    path: "region",
    message: /is not a region name such as us-east-1/,
    line: 1,
    column: 9,
  });
});

Deno.test('parseConfig() reads region: "*" as any region in signatures, us-east-1 reported', () => {
  const any = configOf(`region: "*"\n${withData("")}`);
  assert.equal(any.region, "us-east-1");
  assert.equal(any.anyRegion, true);
  assert.equal(configOf(`region: eu-west-3\n${withData("")}`).anyRegion, undefined);
  assert.equal(configOf(withData("")).anyRegion, undefined);
});

Deno.test("parseConfig() checks domain as a hostname and lowercases it", () => {
  assert.equal(configOf(setting("domain: S3.Example.com")).domain, "s3.example.com");
  for (const bad of ["https://s3.example.com", "s3.example.com:8080", "-bad.com", "a..b"]) {
    onlyProblem(setting(`domain: "${bad}"`), {
      path: "domain",
      message: /is not a hostname such as s3\.example\.com$/,
      line: 1,
      column: 9,
    });
  }
});

/** A config with a trusted proxy and one more top-level setting. */
const behindProxy = (line: string) => setting(`${line}\ntrusted_proxies: [127.0.0.1]`);

Deno.test("parseConfig() reads public_endpoint as a normalized origin", () => {
  assert.equal(
    configOf(behindProxy("public_endpoint: HTTPS://S3.Example.com/")).publicEndpoint,
    "https://s3.example.com",
  );
  assert.equal(
    configOf(behindProxy("public_endpoint: http://gw.local:8080")).publicEndpoint,
    "http://gw.local:8080",
  );
  onlyProblem(behindProxy("public_endpoint: https://s3.example.com/base"), {
    path: "public_endpoint",
    message: /must be an origin only/,
    line: 1,
    column: 18,
  });
  onlyProblem(behindProxy("public_endpoint: ftp://x"), {
    path: "public_endpoint",
    message: /must be an http or https URL/,
  });
});

Deno.test("parseConfig() refuses public_endpoint without trusted_proxies: it would change nothing", () => {
  onlyProblem(setting("public_endpoint: https://s3.example.com"), {
    path: "public_endpoint",
    message:
      /^applies only to requests from trusted_proxies, which is empty: list the reverse proxy's address there$/,
    line: 1,
    column: 18,
  });
});

Deno.test("parseConfig() reads trusted_proxies as IPs and CIDRs", () => {
  const c = configOf(setting('trusted_proxies: [10.0.0.0/8, 127.0.0.1, "::1", "fd00::/8"]'));
  assert.deepEqual(c.trustedProxies, ["10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8"]);
  for (const bad of ["10.0.0.0/33", "256.0.0.1", "proxy.local", "10.0.0.1/8/8", "::1/129"]) {
    onlyProblem(setting(`trusted_proxies: [127.0.0.1, "${bad}"]`), {
      path: "trusted_proxies[1]",
      message: /is not an IP address or CIDR range/,
      line: 1,
      column: 30,
    });
  }
});

Deno.test("parseConfig() reads server_timing as a boolean, false by default", () => {
  assert.equal(configOf(setting("server_timing: true")).serverTiming, true);
  onlyProblem(setting("server_timing: on"), {
    path: "server_timing",
    message: /^must be true or false, not the string 'on'$/,
  });
});

Deno.test("parseConfig() reads workers as auto or an integer from 1 to 256, absent by default", () => {
  assert.equal(configOf(withData("")).workers, undefined);
  assert.equal(configOf(setting("workers: ~")).workers, undefined, "null is absent, as elsewhere");
  assert.equal(configOf(setting("workers: 4")).workers, 4);
  assert.equal(configOf(setting("workers: auto")).workers, "auto");
  assert.equal(configOf(setting("workers: ${N}"), (k) => k === "N" ? "3" : undefined).workers, 3);
  assert.equal(
    configOf(setting("workers: ${N}"), (k) => k === "N" ? "auto" : undefined).workers,
    "auto",
  );
  const cases: [string, RegExp][] = [
    ["0", /not the number 0$/],
    ["257", /not the number 257$/],
    ["1.5", /not the number 1\.5$/],
    ["lots", /not 'lots'$/],
    ["true", /not the boolean true$/],
    ["[2]", /not a list$/],
    ["{ n: 2 }", /not a mapping$/],
  ];
  for (const [bad, tail] of cases) {
    onlyProblem(setting(`workers: ${bad}`), {
      path: "workers",
      message: new RegExp(`^must be auto or an integer from 1 to 256, ${tail.source}`),
      line: 1,
      column: 10,
    });
  }
});
