/**
 * A browser app reads objects cross-origin: headless Chromium (Debian's)
 * loads a page served from another port, whose script fetches from the
 * gateway. The page's origin is allowed by the bucket's CORS rules; a second
 * page on an origin that is not allowed is blocked by the browser.
 */
import assert from "node:assert/strict";
import { freePort } from "../_support/ports.ts";
import { startGateway } from "./_gateway.ts";
import { skippable } from "../_support/tools.ts";
import { dumpDom, noChromium, servePage } from "./_chromium.ts";

/** A page whose script fetches `url` and writes what it saw into the DOM. */
function page(url: string): string {
  return `<!doctype html><html><body><pre id="out">pending</pre><script>
(async () => {
  const out = document.getElementById("out");
  try {
    const res = await fetch(${JSON.stringify(url)});
    out.textContent = "status=" + res.status + " etag=" + res.headers.get("etag") +
      " body=" + (await res.text());
  } catch (e) {
    out.textContent = "blocked: " + e.name;
  }
})();
</script></body></html>`;
}

Deno.test({
  ...skippable(
    "Chromium reads an object cross-origin from a CORS bucket; another origin is blocked",
    noChromium,
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const allowedPort = freePort();
    const allowed = `http://127.0.0.1:${allowedPort}`;
    const gw = await startGateway([], {
      extraConfig: [
        "cors:",
        `  allowed_origins: [${allowed}]`,
        "  allowed_methods: [GET, HEAD]",
      ],
    });
    await Deno.writeTextFile(`${gw.dataDir}/public-data/hello.txt`, "hello from the bucket");
    const target = `${gw.url}/public-data/hello.txt`;
    const good = servePage(page(target), allowedPort);
    const evil = servePage(page(target));
    try {
      const dom = await dumpDom(`${allowed}/`);
      assert.match(dom, /status=200 etag="[0-9a-f]{32}" body=hello from the bucket/, dom);
      const blocked = await dumpDom(`${evil.origin}/`);
      assert.match(blocked, /blocked: TypeError/, blocked);
      await gw.waitForLog(/GET \/public-data\/hello\.txt 200/);
    } finally {
      await good.stop();
      await evil.stop();
      await gw.stop();
    }
  },
});
