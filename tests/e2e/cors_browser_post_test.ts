/**
 * A browser uploads straight to a bucket with a form (POST Object): the JS
 * SDK's `createPresignedPost` prepares the fields, and headless Chromium loads
 * a page from another origin whose script posts them as a `FormData` (the
 * file last) to the real gateway process. The bucket's CORS rules allow the
 * page's origin, so the page reads the answers: 204 with the ETag, and 201
 * with the PostResponse document.
 */
import assert from "node:assert/strict";
import { freePort } from "../_support/ports.ts";
import { DEV, startGateway } from "./_gateway.ts";
import { skippable } from "../_support/tools.ts";
import { dumpDom, noChromium, servePage } from "./_chromium.ts";
import { S3Client } from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";

/** A page that posts each form in turn and writes each answer into the DOM. */
function page(url: string, forms: readonly (readonly [string, string])[][]): string {
  return `<!doctype html><html><body><pre id="out">pending</pre><script>
(async () => {
  const out = document.getElementById("out");
  const lines = [];
  for (const fields of ${JSON.stringify(forms)}) {
    const form = new FormData();
    for (const [name, value] of fields) form.append(name, value);
    form.append("file", new Blob(["uploaded by a browser\\n"], { type: "text/plain" }), "from-chromium.txt");
    try {
      const res = await fetch(${JSON.stringify(url)}, { method: "POST", body: form });
      lines.push("status=" + res.status + " etag=" + res.headers.get("etag") + " body=" +
        (await res.text()).replace(/\\n/g, " "));
    } catch (e) {
      lines.push("blocked: " + e.name);
    }
  }
  out.textContent = lines.join("\\n");
})();
</script></body></html>`;
}

Deno.test({
  ...skippable(
    "Chromium posts a FormData upload cross-origin to a CORS bucket and reads the answers",
    noChromium,
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const pagePort = freePort();
    const origin = `http://127.0.0.1:${pagePort}`;
    const gw = await startGateway([], {
      extraConfig: [
        "cors:",
        `  allowed_origins: [${origin}]`,
        "  allowed_methods: [GET, HEAD, POST]",
        "  expose_headers: [ETag, Location]",
      ],
    });
    const client = new S3Client({
      endpoint: gw.url,
      forcePathStyle: true,
      region: "us-east-1",
      credentials: { accessKeyId: DEV.id, secretAccessKey: DEV.secret },
    });
    const form = async (key: string, fields: Record<string, string>) => {
      const post = await createPresignedPost(client, {
        Bucket: "private-uploads",
        Key: key,
        Fields: { "Content-Type": "text/plain", ...fields },
        Conditions: [
          ["starts-with", "$Content-Type", "text/"],
          ...Object.entries(fields).map(([n, v]) => ({ [n]: v })),
        ],
        Expires: 600,
      });
      assert.equal(post.url, `${gw.url}/private-uploads`);
      return Object.entries(post.fields);
    };
    const html = page(`${gw.url}/private-uploads`, [
      await form("browser/${filename}", {}),
      await form("browser/201.txt", { success_action_status: "201" }),
    ]);
    const server = servePage(html, pagePort);
    try {
      const dom = await dumpDom(`${origin}/`);
      assert.match(dom, /status=204 etag="[0-9a-f]{32}" body=\n/, dom);
      assert.match(
        dom,
        /status=201 etag="[0-9a-f]{32}" body=.*&lt;Key&gt;browser\/201\.txt&lt;\/Key&gt;/,
        dom,
      );
      const stored = await Deno.readTextFile(
        `${gw.dataDir}/private-uploads/browser/from-chromium.txt`,
      );
      assert.equal(stored, "uploaded by a browser\n");
      await gw.waitForLog(/POST \/private-uploads\/browser\/from-chromium\.txt 204/);
    } finally {
      await server.stop();
      await gw.stop();
    }
  },
});
