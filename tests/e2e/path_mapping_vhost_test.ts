/**
 * Virtual-hosted style over a path-mapped namespace through the real gateway
 * process: `acme.<domain>/data/file.txt` is `file.txt` of acme--data. boto3
 * (`addressing_style: virtual`, `*.<domain>` resolved to 127.0.0.1 inside the
 * script) and curl (`--resolve`, `--connect-to`, `--aws-sigv4`) read, write
 * and list at the account level and in one mapped bucket, every signature
 * verified over the Host and path the client sent.
 */
import assert from "node:assert/strict";
import { missingCommand, missingPythonModule, skippable } from "../_support/tools.ts";
import { DEV, run } from "./_gateway.ts";
import { runMappedBoto3, seed, startMapped, succeeded } from "./_mapped.ts";

/** A domain nothing resolves: the clients are pointed at 127.0.0.1 themselves. */
const DOMAIN = "s3.bucketgate.test";

const noBoto3 = await missingPythonModule("boto3") ?? await missingPythonModule("requests");
Deno.test({
  ...skippable(
    "path mapping: boto3 in virtual-hosted style reads, writes and lists acme.<domain>",
    noBoto3,
  ),
  async fn() {
    await using gw = await startMapped([`domain: ${DOMAIN}`]);
    await seed(gw);
    const out = await runMappedBoto3(gw, "vhost", DOMAIN);
    assert.match(out, /boto3 mapped vhost OK/);
    assert.equal(await Deno.readTextFile(`${gw.dataDir}/acme--logs/v.txt`), "vhost");
  },
});

const noCurl = await missingCommand("curl");
Deno.test({
  ...skippable("path mapping: curl --aws-sigv4 to acme.<domain> (--resolve, --connect-to)", noCurl),
  async fn() {
    await using gw = await startMapped([`domain: ${DOMAIN}`]);
    await seed(gw);
    const host = `acme.${DOMAIN}:${gw.port}`;
    const sig = ["--aws-sigv4", "aws:amz:us-east-1:s3", "--user", `${DEV.id}:${DEV.secret}`];
    const resolve = ["--resolve", `acme.${DOMAIN}:${gw.port}:127.0.0.1`];
    const connectTo = ["--connect-to", `acme.${DOMAIN}:${gw.port}:127.0.0.1:${gw.port}`];
    const curl = async (args: string[], path: string) =>
      succeeded(
        await run("curl", ["-sS", "--fail-with-body", ...args, `http://${host}${path}`]),
        `curl ${path}`,
      );
    assert.equal(await curl([...sig, ...resolve], "/data/file.txt"), "file");
    // Anonymous on the public mapped bucket.
    assert.equal(await curl(resolve, "/data/sub/a.txt"), "a");
    const local = `${gw.dataDir}/up.txt`;
    await Deno.writeTextFile(local, "by curl");
    // S3 needs the payload hash header; curl signs any x-amz-* header it is given.
    const unsigned = ["-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"];
    await curl([...sig, ...unsigned, ...connectTo, "-T", local], "/logs/curl.txt");
    assert.equal(await Deno.readTextFile(`${gw.dataDir}/acme--logs/curl.txt`), "by curl");
    // The account level: each mapped bucket a common prefix; `<Name>` the display bucket.
    const top = await curl([...sig, ...connectTo], "/?delimiter=%2F&list-type=2");
    assert.match(top, /<Name>acme<\/Name>/);
    assert.deepEqual(prefixes(top), ["data/", "logs/"]);
    // One mapped bucket (acme.<domain>/data) listed under sub/: shown as data/sub/.
    const one = await curl([...sig, ...resolve], "/data?list-type=2&prefix=sub%2F");
    assert.deepEqual(keys(one), ["data/sub/a.txt", "data/sub/b.txt"]);
    assert.doesNotMatch(one + top, /acme--/);
    // Logged under the configured names.
    assert.match(gw.logs(), /GET \/acme--data\/file\.txt 200 /);
    assert.match(gw.logs(), /PUT \/acme--logs\/curl\.txt 200 /);
  },
});

function keys(xml: string): string[] {
  return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
}

function prefixes(xml: string): string[] {
  return [...xml.matchAll(/<CommonPrefixes><Prefix>([^<]*)<\/Prefix>/g)].map((m) => m[1]!);
}
