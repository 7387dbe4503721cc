/**
 * aws-cli against the real gateway process, on every backend (fs, and s3 over
 * moto): Debian's v2 (/usr/bin/aws) and pip's v1 (earlier on PATH), both.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { makeCerts } from "../_support/certs.ts";
import { startIssuerProcess } from "../_support/oidc_issuer.ts";
import { availableBackends, type Rig, startRig } from "./_backends.ts";
import { awsCli, DEV, haveTool, READER, run } from "./_gateway.ts";
import { clientTest } from "./compat/record.ts";
import { firstReason, missingCommand } from "../_support/tools.ts";

/** An aws-cli binary: its path, its generation's table row, and its version. */
interface AwsBinary {
  readonly path: string;
  readonly client: "aws-cli v1" | "aws-cli v2";
  readonly version: string;
}

/**
 * Every aws-cli on this machine: Debian's v2 (/usr/bin/aws) and, where
 * present, a pip-installed v1 earlier on PATH.
 */
async function awsBinaries(): Promise<AwsBinary[]> {
  const found = new Map<string, AwsBinary>();
  const which = await run("sh", ["-c", "command -v aws || true"]);
  for (const path of [which.stdout.trim(), "/usr/bin/aws"]) {
    if (!path || found.has(path)) continue;
    try {
      const v = await run(path, ["--version"]);
      const m = /aws-cli\/((\d+)\.\d+(?:\.\d+)?)/.exec(v.stdout + v.stderr);
      if (v.code !== 0 || !m) continue;
      const source = path === "/usr/bin/aws" ? "Debian" : "pip";
      found.set(path, {
        path,
        client: m[2] === "1" ? "aws-cli v1" : "aws-cli v2",
        version: `${m[1]} (${source})`,
      });
    } catch { /* not there */ }
  }
  return [...found.values()];
}

const BINARIES = await awsBinaries();
/** Why no aws-cli can run here; under CI=true, throws. */
const noAws = BINARIES.length > 0 ? undefined : await missingCommand("aws");
const BACKENDS = await availableBackends();
const hasCurl = await haveTool("curl");
/** Why the STS test cannot make its certificates here; under CI=true, throws. */
const noOpenssl = await missingCommand("openssl");

function ok(r: { code: number; stdout: string; stderr: string }, what: string) {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
}

const fallback: AwsBinary = { path: "aws", client: "aws-cli v2", version: "missing" };

for (const bin of BINARIES.length > 0 ? BINARIES : [fallback]) {
  for (const { kind, skip } of BACKENDS) {
    const test = (name: string, fn: (rig: Rig) => Promise<void>) =>
      clientTest({
        client: bin.client,
        backend: kind,
        name,
        skip: firstReason(noAws, skip),
        version: () => Promise.resolve(bin.version),
        async fn() {
          const rig = await startRig(kind);
          try {
            await fn(rig);
          } finally {
            await rig.stop();
          }
        },
      });
    const aws = (rig: Rig, args: string[], key: { id: string; secret: string } = DEV) =>
      awsCli(rig.gw, args, { bin: bin.path, key });

    test("s3 cp (multipart), mv, ls, sync with odd keys, rm", async (rig) => {
      const dir = rig.gw.dataDir;
      const src = `${dir}/src`;
      await Deno.mkdir(`${src}/sub`, { recursive: true });
      const big = new Uint8Array(20 * 1024 * 1024);
      crypto.getRandomValues(big.subarray(0, 65536));
      big[big.length - 1] = 7;
      await Deno.writeFile(`${src}/big.bin`, big);
      const names = ["a b.txt", "é+%.txt", "sub/x~y*z.txt", "plus+sign.txt"];
      for (const n of names) await Deno.writeTextFile(`${src}/${n}`, `content of ${n}`);

      ok(await aws(rig, ["s3", "cp", `${src}/big.bin`, "s3://private-uploads/big/big.bin"]), "cp");
      assert.deepEqual(
        await rig.stored("private-uploads", "big/big.bin"),
        big,
        "stored bytes equal the upload",
      );
      ok(
        await aws(rig, ["s3", "cp", "s3://private-uploads/big/big.bin", `${dir}/down.bin`]),
        "cp down",
      );
      assert.deepEqual(await Deno.readFile(`${dir}/down.bin`), big);
      // Bucket to bucket: a multipart copy (UploadPartCopy) over the threshold, then a delete.
      ok(
        await aws(rig, [
          "s3",
          "mv",
          "s3://private-uploads/big/big.bin",
          "s3://public-data/big.bin",
        ]),
        "mv s3 to s3",
      );
      assert.deepEqual(await rig.stored("public-data", "big.bin"), big);
      assert.equal(await rig.stored("private-uploads", "big/big.bin"), undefined);
      await Deno.writeTextFile(`${dir}/small.txt`, "moved up");
      ok(await aws(rig, ["s3", "mv", `${dir}/small.txt`, "s3://private-uploads/m/s.txt"]), "mv up");
      assert.equal(await rig.storedText("private-uploads", "m/s.txt"), "moved up");
      assert.ok(!(await Deno.stat(`${dir}/small.txt`).then(() => true, () => false)));

      await Deno.remove(`${src}/big.bin`);
      ok(await aws(rig, ["s3", "sync", src, "s3://private-uploads/sync/"]), "sync up");
      const listed = ok(
        await aws(rig, ["s3", "ls", "s3://private-uploads/sync/", "--recursive"]),
        "ls",
      );
      for (const n of names) assert.match(listed, new RegExp(n.replace(/[+*.]/g, "\\$&")));
      const back = `${dir}/back`;
      ok(await aws(rig, ["s3", "sync", "s3://private-uploads/sync/", back]), "sync down");
      for (const n of names) {
        assert.equal(await Deno.readTextFile(`${back}/${n}`), `content of ${n}`, n);
      }
      // A second sync has nothing to do.
      assert.equal(ok(await aws(rig, ["s3", "sync", src, "s3://private-uploads/sync/"]), ""), "");
      const buckets = ok(await aws(rig, ["s3", "ls"]), "ls buckets");
      assert.match(buckets, /private-uploads/);
      ok(await aws(rig, ["s3", "rm", "s3://private-uploads/sync/", "--recursive"]), "rm");
      assert.deepEqual(await rig.keys("private-uploads"), ["m/s.txt"]);
    });

    test("s3api put, get (Range), copy, explicit multipart, delete-objects, head, list-objects-v2", async (rig) => {
      const dir = rig.gw.dataDir;
      const file = `${dir}/part.bin`;
      const part = new Uint8Array(5 * 1024 * 1024).fill(65);
      part.set(new TextEncoder().encode("0123456789"), 100);
      await Deno.writeFile(file, part);
      const api = async (what: string, ...args: string[]) =>
        JSON.parse(ok(await aws(rig, ["s3api", ...args]), what) || "{}");
      await api(
        "put",
        "put-object",
        "--bucket",
        "private-uploads",
        "--key",
        "src.txt",
        "--body",
        file,
      );
      const got = await api(
        "get",
        "get-object",
        "--bucket",
        "private-uploads",
        "--key",
        "src.txt",
        "--range",
        "bytes=100-109",
        `${dir}/range.bin`,
      );
      assert.equal(got.ContentRange, `bytes 100-109/${part.length}`);
      assert.equal(await Deno.readTextFile(`${dir}/range.bin`), "0123456789");
      await api(
        "copy",
        "copy-object",
        "--bucket",
        "public-data",
        "--key",
        "copy.txt",
        "--copy-source",
        "private-uploads/src.txt",
      );
      const head = await api("head", "head-object", "--bucket", "public-data", "--key", "copy.txt");
      assert.equal(head.ContentLength, part.length);
      assert.deepEqual(await rig.stored("public-data", "copy.txt"), part);

      const mp = ["--bucket", "private-uploads", "--key", "mp.bin"];
      const created = await api("create", "create-multipart-upload", ...mp);
      const id = ["--upload-id", created.UploadId];
      const parts = [];
      for (const n of [1, 2]) {
        const up = await api(
          `part ${n}`,
          "upload-part",
          ...mp,
          ...id,
          "--part-number",
          String(n),
          "--body",
          file,
        );
        parts.push({ PartNumber: n, ETag: up.ETag });
      }
      const listedParts = await api("list-parts", "list-parts", ...mp, ...id);
      assert.deepEqual(
        listedParts.Parts.map((p: { ETag: string }) => p.ETag),
        parts.map((p) => p.ETag),
      );
      const done = await api(
        "complete",
        "complete-multipart-upload",
        ...mp,
        ...id,
        "--multipart-upload",
        JSON.stringify({ Parts: parts }),
      );
      assert.match(done.ETag, /-2"$/);
      assert.equal((await rig.stored("private-uploads", "mp.bin"))?.length, 2 * part.length);

      const v2 = await api(
        "list",
        "list-objects-v2",
        "--bucket",
        "private-uploads",
        "--delimiter",
        "/",
        "--fetch-owner",
      );
      assert.deepEqual(v2.Contents.map((c: { Key: string }) => c.Key), ["mp.bin", "src.txt"]);
      const del = await api(
        "delete-objects",
        "delete-objects",
        "--bucket",
        "private-uploads",
        "--delete",
        JSON.stringify({ Objects: [{ Key: "mp.bin" }, { Key: "src.txt" }] }),
      );
      assert.equal(del.Deleted.length, 2);
      assert.deepEqual(await rig.keys("private-uploads"), []);
    });

    test("a denied write, anonymous reads, s3 presign fetched with curl", async (rig) => {
      const file = `${rig.gw.dataDir}/x.txt`;
      await Deno.writeTextFile(file, "hello");
      const denied = await aws(rig, ["s3", "cp", file, "s3://readonly/x.txt"], READER);
      assert.notEqual(denied.code, 0);
      assert.match(denied.stderr, /AccessDenied/);
      assert.deepEqual(await rig.keys("readonly"), []);

      ok(await aws(rig, ["s3", "cp", file, "s3://public-data/x.txt"]), "put public");
      const anon = await aws(rig, ["s3", "cp", "s3://public-data/x.txt", "-", "--no-sign-request"]);
      assert.equal(ok(anon, "anonymous get"), "hello");
      const anonList = await aws(rig, ["s3", "ls", "s3://private-uploads/", "--no-sign-request"]);
      assert.notEqual(anonList.code, 0);
      assert.match(anonList.stderr, /AccessDenied/);

      ok(await aws(rig, ["s3", "cp", file, "s3://private-uploads/p q.txt"]), "put private");
      const url = ok(
        await aws(rig, ["s3", "presign", "s3://private-uploads/p q.txt", "--expires-in", "60"]),
        "presign",
      ).trim();
      if (hasCurl) {
        const got = await run("curl", ["-sS", "-f", url]);
        assert.equal(got.code, 0, got.stderr);
        assert.equal(got.stdout, "hello");
      } else {
        const res = await fetch(url);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), "hello");
      }
    });

    clientTest({
      client: bin.client,
      backend: kind,
      name: "sts assume-role-with-web-identity, then s3 cp with the minted credentials",
      skip: firstReason(noAws, skip, noOpenssl),
      version: () => Promise.resolve(bin.version),
      sanitize: false,
      async fn() {
        const dir = await Deno.makeTempDir({ prefix: "bucketgate-awscli-sts-" });
        const certs = await makeCerts(dir);
        const issuer = await startIssuerProcess(certs);
        let rig: Rig | undefined;
        try {
          const key = crypto.getRandomValues(new Uint8Array(32));
          rig = await startRig(kind, {
            env: {
              DENO_CERT: certs.caFile,
              SESSION_TOKEN_KEY: Buffer.from(key).toString("base64"),
            },
            extraConfig: [
              "roles:",
              "  - role_id: ci-deployer",
              `    trusted_oidc_issuers: [${issuer.issuer}]`,
              "    required_audiences: [sts.bucketgate.test]",
              '    subject_conditions: ["repo:org/app:*"]',
              "    allowed_scopes:",
              "      - { bucket: private-uploads, prefixes: [releases/], actions: [get_object, head_object, put_object, list_bucket] }",
            ],
          });
          const base = {
            PATH: Deno.env.get("PATH") ?? "",
            HOME: dir,
            AWS_DEFAULT_REGION: "us-east-1",
          };
          const token = await issuer.token({ sub: "repo:org/app:ref:refs/heads/main" });
          const r = await run(bin.path, [
            "sts",
            "assume-role-with-web-identity",
            "--endpoint-url",
            rig.gw.url,
            "--role-arn",
            "arn:aws:iam::123456789012:role/ci-deployer",
            "--role-session-name",
            "cli-e2e",
            "--web-identity-token",
            token,
            "--output",
            "json",
          ], { clearEnv: true, env: base });
          const c = JSON.parse(ok(r, "assume-role-with-web-identity")).Credentials;
          const env = {
            ...base,
            AWS_ACCESS_KEY_ID: c.AccessKeyId,
            AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
            AWS_SESSION_TOKEN: c.SessionToken,
          };
          await Deno.writeTextFile(`${dir}/cli.txt`, "from aws-cli");
          const cp = (to: string) =>
            run(bin.path, ["--endpoint-url", rig!.gw.url, "s3", "cp", `${dir}/cli.txt`, to], {
              clearEnv: true,
              env,
            });
          ok(await cp("s3://private-uploads/releases/cli.txt"), "cp with minted credentials");
          assert.equal(await rig.storedText("private-uploads", "releases/cli.txt"), "from aws-cli");
          const denied = await cp("s3://private-uploads/elsewhere.txt");
          assert.notEqual(denied.code, 0);
          assert.match(denied.stderr, /AccessDenied/);
          assert.equal(await rig.stored("private-uploads", "elsewhere.txt"), undefined);
        } finally {
          await rig?.stop();
          await issuer.stop();
          await Deno.remove(dir, { recursive: true });
        }
      },
    });
  }
}
