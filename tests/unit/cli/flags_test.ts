import assert from "node:assert/strict";
import { type CliAction, type Flags, parseFlags } from "../../../src/cli/flags.ts";

function flagsOf(args: string[]): Flags {
  const r = parseFlags(args);
  assert.ok(r.ok, r.ok ? "" : r.error);
  assert.equal(r.value.kind, "run");
  return (r.value as Extract<CliAction, { kind: "run" }>).flags;
}

function errorOf(args: string[]): string {
  const r = parseFlags(args);
  assert.ok(!r.ok, "expected an error");
  return r.error;
}

Deno.test("parseFlags() with no arguments: json, info, no check, nothing else set", () => {
  assert.deepEqual(flagsOf([]), { checkConfig: false, logFormat: "json", logLevel: "info" });
});

Deno.test("parseFlags() reads every value flag", () => {
  assert.deepEqual(
    flagsOf([
      "--config=c.yaml",
      "--listen",
      "0.0.0.0:9000",
      "--domain",
      "s3.example.com",
      "--check-config",
      "--log-format",
      "text",
      "--log-level",
      "warn",
      "--admin-listen",
      "10.0.0.1:9100",
    ]),
    {
      config: "c.yaml",
      listen: "0.0.0.0:9000",
      domain: "s3.example.com",
      adminListen: "10.0.0.1:9100",
      checkConfig: true,
      logFormat: "text",
      logLevel: "warn",
    },
  );
});

Deno.test("parseFlags() gives a bare --admin-listen port the host 127.0.0.1", () => {
  assert.equal(flagsOf(["--admin-listen", "9100"]).adminListen, "127.0.0.1:9100");
  assert.equal(flagsOf(["--admin-listen", "[::1]:9100"]).adminListen, "[::1]:9100");
});

Deno.test("parseFlags() --help and --version win over bad values, not over unknown flags", () => {
  assert.deepEqual(parseFlags(["--help", "--log-format", "xml"]), {
    ok: true,
    value: { kind: "help" },
  });
  assert.deepEqual(parseFlags(["--version", "--log-level", "x"]), {
    ok: true,
    value: { kind: "version" },
  });
  assert.deepEqual(parseFlags(["--help", "--version"]), { ok: true, value: { kind: "help" } });
  assert.equal(errorOf(["--bogus", "--help"]), "Unknown option '--bogus' (see --help)");
});

Deno.test("parseFlags() rejects unknown flags, positionals and missing values with a pointer to --help", () => {
  assert.equal(errorOf(["--bogus"]), "Unknown option '--bogus' (see --help)");
  assert.equal(
    errorOf(["extra"]),
    "Unexpected argument 'extra'. This command does not take positional arguments (see --help)",
  );
  assert.equal(errorOf(["--config"]), "Option '--config <value>' argument missing (see --help)");
});

Deno.test("parseFlags() rejects a bad --log-format before a bad --log-level", () => {
  assert.equal(errorOf(["--log-format", "xml"]), "--log-format must be json or text");
  assert.equal(errorOf(["--log-level", "debug"]), "--log-level must be one of info, warn, error");
  assert.equal(
    errorOf(["--log-level", "debug", "--log-format", "xml"]),
    "--log-format must be json or text",
  );
});

Deno.test("parseFlags() reads --workers as a count from 1 to 256 or auto", () => {
  assert.equal(flagsOf(["--workers", "1"]).workers, 1);
  assert.equal(flagsOf(["--workers=256"]).workers, 256);
  assert.equal(flagsOf(["--workers", "auto"]).workers, "auto");
  assert.equal(flagsOf([]).workers, undefined, "absent: the config decides");
});

Deno.test("parseFlags() rejects a --workers that is not auto or 1..256", () => {
  for (const bad of ["0", "257", "-1", "1.5", "two", "", "AUTO", "0x2"]) {
    assert.equal(
      errorOf([`--workers=${bad}`]),
      `--workers must be auto or an integer from 1 to 256, got '${bad}'`,
    );
  }
  assert.equal(errorOf(["--workers"]), "Option '--workers <value>' argument missing (see --help)");
  assert.deepEqual(parseFlags(["--help", "--workers", "0"]), { ok: true, value: { kind: "help" } });
});
