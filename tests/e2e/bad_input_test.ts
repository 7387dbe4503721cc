/** Bad input against the real gateway: precise 4xx codes, nothing on disk changes, still serving. */
import assert from "node:assert/strict";
import { testSigner } from "../_support/signer.ts";
import { DEV, filesUnder, rawSignedExchange, startGateway } from "./_gateway.ts";

async function signed(
  url: string,
  method: string,
  body?: string,
  headers: Record<string, string> = {},
) {
  const u = new URL(url);
  const signer = testSigner(DEV);
  const query: Record<string, string> = {};
  for (const [k, v] of u.searchParams) query[k] = v;
  const req = await signer.sign({
    method,
    protocol: "http:",
    hostname: u.hostname,
    port: Number(u.port),
    path: u.pathname,
    query,
    headers: { host: u.host, ...headers },
    ...(body !== undefined ? { body } : {}),
  });
  return await fetch(url, {
    method,
    headers: req.headers as Record<string, string>,
    ...(body !== undefined ? { body } : {}),
  });
}

async function code(res: Response): Promise<string | undefined> {
  return /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1];
}

Deno.test("bad input gets precise 4xx codes, leaves disk unchanged, and the gateway keeps serving", async () => {
  const gw = await startGateway();
  try {
    await Deno.writeTextFile(`${gw.dataDir}/private-uploads/keep.txt`, "keep");
    const before = await filesUnder(`${gw.dataDir}/private-uploads`);
    const B = `${gw.url}/private-uploads`;

    const malformed = [
      "AWS4-HMAC-SHA256 Credential=garbage",
      "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=zz",
      "Bearer abc",
      "AWS4-HMAC-SHA256",
    ];
    for (const authorization of malformed) {
      const res = await fetch(`${B}/keep.txt`, {
        method: "DELETE",
        headers: {
          authorization,
          "x-amz-date": "20260101T000000Z",
          "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
        },
      });
      assert.ok(res.status === 400 || res.status === 403, `${authorization}: ${res.status}`);
      assert.ok(await code(res), authorization);
    }

    const garbage = await signed(`${B}?delete`, "POST", "<Delete><Object><Key>keep.txt</Key>");
    assert.equal(garbage.status, 400);
    assert.equal(await code(garbage), "MalformedXML");

    const tooMany = `<Delete>${
      Array.from({ length: 1001 }, (_, i) => `<Object><Key>k${i}</Key></Object>`).join("")
    }</Delete>`;
    const many = await signed(`${B}?delete`, "POST", tooMany);
    assert.equal(many.status, 400);
    assert.equal(await code(many), "MalformedXML");

    const entity = await signed(
      `${B}?delete`,
      "POST",
      `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&e;</Key></Object></Delete>`,
    );
    assert.equal(await code(entity), "MalformedXML");

    // Sent over a raw socket: fetch would normalize these paths before they leave.
    for (
      const path of [
        "/a/../../keep.txt",
        "/a/%2E%2E/keep.txt",
        "/..%2Fkeep.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
      ]
    ) {
      const answer = await rawSignedExchange(gw.port, {
        method: "PUT",
        rawPath: `/private-uploads${path}`,
        pieces: [new TextEncoder().encode("evil")],
      });
      assert.match(answer, /^HTTP\/1\.1 400/, `${path}: ${answer.slice(0, 200)}`);
      assert.match(answer, /<Code>InvalidArgument<\/Code>/, path);
    }

    assert.deepEqual(await filesUnder(`${gw.dataDir}/private-uploads`), before);
    assert.equal(await Deno.readTextFile(`${gw.dataDir}/private-uploads/keep.txt`), "keep");
    const still = await signed(`${B}/keep.txt`, "GET");
    assert.equal(await still.text(), "keep");
  } finally {
    await gw.stop();
  }
});
