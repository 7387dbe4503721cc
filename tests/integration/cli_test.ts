/** The CLI of main.ts, run as a real process (what the compiled binary does too). */
import assert from "node:assert/strict";
import { launchGateway, runGatewayCli as run } from "../_support/gateway.ts";

Deno.test("--version and --help print and exit 0", async () => {
  const v = await run(["--version"]);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^bucketgate \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}|unknown)\)$/m);
  const h = await run(["--help"]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /--check-config/);
});

Deno.test("an unknown flag exits 2 with a pointer to --help", async () => {
  const r = await run(["--bogus"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--help/);
});

Deno.test("--check-config accepts the embedded default config", async () => {
  const r = await run(["--check-config"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /OK/);
});

Deno.test("--check-config falls back to the embedded config outside the repo", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await run(["--check-config"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /embedded/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--check-config accepts policies, reads policy_file beside the config, and warns of anonymous writes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/reads.json`,
      '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}',
    );
    const path = `${dir}/c.yaml`;
    await Deno.writeTextFile(
      path,
      [
        "policies:",
        "  reads: { policy_file: reads.json }",
        "buckets:",
        "  - name: drop",
        "    backend_type: memory",
        "    anonymous_access: false",
        "    bucket_policy:",
        '      Version: "2012-10-17"',
        "      Statement:",
        '        - { Sid: Drop, Effect: Allow, Principal: "*", Action: s3:PutObject, Resource: "arn:aws:s3:::drop/*" }',
        "credentials:",
        "  - { access_key_id: AKIDPOLICY000000001, secret_access_key: longenough-secret, allowed_scopes: [], policies: [reads] }",
        "",
      ].join("\n"),
    );
    // From another directory: policy_file is read beside the config, not the working directory.
    const r = await run(["--check-config", "--config", path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /OK/);
    assert.match(
      r.stderr,
      /warning: buckets\[0\]\.bucket_policy: bucket:drop\[0\] \(Drop\) lets anonymous callers write to bucket 'drop'/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--check-config lists every problem with its path and exits 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/bad.yaml`;
    await Deno.writeTextFile(
      path,
      [
        "buckets:",
        "  - name: ok-bucket",
        "    backend_type: memory",
        "  - name: Bad_Name",
        "    backend_type: nosuch",
        "    anonymous_access: true",
        "",
      ].join("\n"),
    );
    const r = await run(["--check-config", "--config", path]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /buckets\[0\]\.anonymous_access/);
    assert.match(r.stderr, /buckets\[1\]\.name/);
    assert.match(r.stderr, /buckets\[1\]\.backend_type/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the gateway starts, prints one line with address and buckets, and stops on SIGTERM", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/c.yaml`;
    await Deno.writeTextFile(
      path,
      `buckets:\n  - name: demo\n    backend_type: fs\n    anonymous_access: true\n    backend_options: { root: ${dir}/demo }\n`,
    );
    await Deno.mkdir(`${dir}/demo`);
    await Deno.writeTextFile(`${dir}/demo/hi.txt`, "hi");
    const gw = await launchGateway({ configPath: path, logFormat: null });
    const line = gw.stdout().split("\n")[0]!;
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+) \(buckets: demo;/.exec(line);
    assert.ok(m, line);
    const res = await fetch(`${m[1]}/demo/hi.txt`);
    assert.equal(await res.text(), "hi");
    gw.signal("SIGTERM");
    assert.equal(await gw.exited, 0);
    await gw.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
