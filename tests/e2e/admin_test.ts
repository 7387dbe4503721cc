/**
 * The admin listener of the real process: /healthz, /readyz (503 while a
 * backend does not answer), and /metrics checked after a known sequence of
 * requests.
 */
import assert from "node:assert/strict";
import { motoBucket } from "../_support/moto.ts";
import { freePort } from "../_support/ports.ts";
import { type Gateway, sdkClient, startGateway } from "./_gateway.ts";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";

function adminUrl(gw: Gateway): string {
  if (gw.adminUrl === undefined) throw new Error(`no admin listener:\n${gw.logs()}`);
  return gw.adminUrl;
}

async function get(url: string): Promise<[number, string]> {
  const res = await fetch(url);
  return [res.status, await res.text()];
}

function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

Deno.test("admin listener: health, readiness and metrics after known requests", async () => {
  const gw = await startGateway([], { adminListen: "127.0.0.1:0" });
  const s3 = sdkClient(gw);
  try {
    const admin = adminUrl(gw);
    assert.deepEqual(await get(`${admin}/healthz`), [200, "ok\n"]);
    assert.deepEqual(await get(`${admin}/readyz`), [200, "ready\n"]);
    await s3.send(new PutObjectCommand({ Bucket: "private-uploads", Key: "m.txt", Body: "12345" }));
    for (let i = 0; i < 3; i++) {
      const got = await s3.send(new GetObjectCommand({ Bucket: "private-uploads", Key: "m.txt" }));
      await got.Body!.transformToString();
    }
    const denied = await fetch(`${gw.url}/private-uploads/m.txt`);
    await denied.body?.cancel();
    const [status, text] = await get(`${admin}/metrics`);
    assert.equal(status, 200);
    const req = (op: string, code: number) =>
      sample(
        text,
        `bucketgate_requests_total{operation="${op}",bucket="private-uploads",status="${code}"}`,
      );
    assert.equal(req("GetObject", 200), 3);
    assert.equal(req("PutObject", 200), 1);
    assert.equal(req("GetObject", 403), 1);
    assert.equal(
      sample(
        text,
        'bucketgate_response_bytes_total{operation="GetObject",bucket="private-uploads"}',
      ),
      15,
    );
    assert.equal(
      sample(text, 'bucketgate_request_duration_seconds_count{operation="GetObject"}'),
      4,
    );
    assert.doesNotMatch(text, /secret|AKID/i, "no credentials in metrics");
    // The admin port serves nothing of S3, and the S3 port nothing of admin.
    assert.equal((await get(`${admin}/private-uploads/m.txt`))[0], 404);
    assert.equal((await get(`${gw.url}/metrics`))[0], 404);
  } finally {
    s3.destroy();
    await gw.stop();
  }
});

Deno.test("admin listener: /readyz is 503 while a backend does not answer", async () => {
  const dead = `http://127.0.0.1:${freePort()}`;
  const gw = await startGateway([
    motoBucket(dead, "backing", { options: "request_timeout_secs: 1" }),
  ], {
    adminListen: "127.0.0.1:0",
  });
  try {
    const admin = adminUrl(gw);
    const [status, body] = await get(`${admin}/readyz`);
    assert.equal(status, 503);
    assert.match(body, /remote/);
    assert.deepEqual(await get(`${admin}/healthz`), [200, "ok\n"], "alive all the same");
  } finally {
    await gw.stop();
  }
});
