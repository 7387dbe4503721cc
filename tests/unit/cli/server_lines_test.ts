import assert from "node:assert/strict";
import {
  adminListeningLine,
  bodyFailureLine,
  listeningLine,
} from "../../../src/cli/server_lines.ts";
import { proxyError, ProxyStreamError } from "../../../src/errors.ts";

Deno.test("listeningLine() names the address, the buckets and whether STS is on", () => {
  const address = { hostname: "127.0.0.1", port: 8080 };
  assert.equal(
    listeningLine({ version: "1.2.3", address, buckets: ["a-b", "c-d"], sts: true }),
    "bucketgate 1.2.3 listening on http://127.0.0.1:8080 (buckets: a-b, c-d; STS on)",
  );
  assert.equal(
    listeningLine({ version: "1.2.3", address, buckets: ["a-b"], sts: false }),
    "bucketgate 1.2.3 listening on http://127.0.0.1:8080 (buckets: a-b; STS off: SESSION_TOKEN_KEY not set)",
  );
});

Deno.test("listeningLine() says the number of workers only when more than one", () => {
  const address = { hostname: "127.0.0.1", port: 8080 };
  const line = (workers: number) =>
    listeningLine({ version: "1.2.3", address, buckets: ["a"], sts: true, workers });
  assert.equal(line(1), "bucketgate 1.2.3 listening on http://127.0.0.1:8080 (buckets: a; STS on)");
  assert.equal(
    line(4),
    "bucketgate 1.2.3 listening on http://127.0.0.1:8080 (buckets: a; STS on; 4 workers)",
  );
});

Deno.test("adminListeningLine() names the address", () => {
  assert.equal(
    adminListeningLine({ hostname: "127.0.0.1", port: 9100 }),
    "admin listening on http://127.0.0.1:9100",
  );
});

Deno.test("bodyFailureLine() names a stream error's kind, an Error's name, or the value", () => {
  assert.equal(
    bodyFailureLine(new ProxyStreamError(proxyError("RequestTimeout", "idle reader"))),
    "response body failed: RequestTimeout: idle reader",
  );
  assert.equal(
    bodyFailureLine(new TypeError("broke off")),
    "response body failed: TypeError: broke off",
  );
  assert.equal(bodyFailureLine("gone"), "response body failed: gone");
});
