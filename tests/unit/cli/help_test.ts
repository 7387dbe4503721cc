import assert from "node:assert/strict";
import { helpText } from "../../../src/cli/help.ts";
import { parseFlags } from "../../../src/cli/flags.ts";

/** Each flag with arguments that parseFlags() accepts. */
const FLAGS: Record<string, string[]> = {
  "--config": ["--config", "c.yaml"],
  "--listen": ["--listen", "127.0.0.1:1"],
  "--domain": ["--domain", "example.com"],
  "--check-config": ["--check-config"],
  "--admin-listen": ["--admin-listen", "9100"],
  "--log-format": ["--log-format", "text"],
  "--log-level": ["--log-level", "warn"],
  "--workers": ["--workers", "2"],
  "--version": ["--version"],
  "--help": ["--help"],
};

Deno.test("helpText() starts with the version and the usage", () => {
  const text = helpText("9.8.7");
  assert.ok(
    text.startsWith("bucketgate 9.8.7: an S3-compatible gateway\n\nUsage: bucketgate [options]\n"),
  );
});

Deno.test("helpText() names every flag parseFlags() accepts", () => {
  const text = helpText("0.0.0");
  for (const [flag, args] of Object.entries(FLAGS)) {
    assert.match(text, new RegExp(`^  ${flag} `, "m"), flag);
    assert.ok(parseFlags(args).ok, flag);
  }
  const listed = [...text.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]);
  assert.deepEqual(listed, Object.keys(FLAGS));
});

Deno.test("helpText() names every environment variable main.ts reads, and ${VAR}", () => {
  const text = helpText("0.0.0");
  for (
    const name of [
      "SESSION_TOKEN_KEY",
      "SESSION_TOKEN_KEY_PREVIOUS",
      "DENO_CERT",
      "OIDC_PROVIDER_KEY",
      "OIDC_PROVIDER_ISSUER",
      "OIDC_PROVIDER_KEY_NEXT",
    ]
  ) assert.match(text, new RegExp(`^  ${name} `, "m"), name);
  assert.ok(text.endsWith("  and any ${VAR} the config names."));
});
