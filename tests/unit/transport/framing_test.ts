import assert from "node:assert/strict";
import { responseFraming } from "../../../src/transport/framing.ts";
import type { ResponseHead } from "../../../src/transport/response_head.ts";
import { TransportError } from "../../../src/transport/transport_error.ts";

const head = (
  status: number,
  fields: [string, string][] = [],
  version: "1.0" | "1.1" = "1.1",
): ResponseHead => ({ version, status, reason: "", fields });

Deno.test("responseFraming(): HEAD, 1xx, 204 and 304 have no body, whatever their length says", () => {
  const cl: [string, string][] = [["content-length", "10"]];
  assert.deepEqual(responseFraming("HEAD", head(200, cl)).body, { kind: "none" });
  assert.deepEqual(responseFraming("GET", head(204, cl)).body, { kind: "none" });
  assert.deepEqual(responseFraming("GET", head(304, cl)).body, { kind: "none" });
  assert.deepEqual(responseFraming("GET", head(100)).body, { kind: "none" });
  assert.equal(responseFraming("HEAD", head(200, cl)).keepAlive, true);
});

Deno.test("responseFraming(): Content-Length, chunked, or until close", () => {
  assert.deepEqual(responseFraming("GET", head(200, [["content-length", "5"]])), {
    body: { kind: "length", length: 5 },
    keepAlive: true,
  });
  assert.deepEqual(responseFraming("GET", head(200, [["transfer-encoding", "Chunked"]])), {
    body: { kind: "chunked" },
    keepAlive: true,
  });
  assert.deepEqual(responseFraming("GET", head(200)), {
    body: { kind: "close" },
    keepAlive: false,
  });
});

Deno.test("responseFraming(): Connection: close, and HTTP/1.0 without keep-alive, end the connection", () => {
  const cl: [string, string] = ["content-length", "0"];
  assert.equal(responseFraming("GET", head(200, [cl, ["connection", "Close"]])).keepAlive, false);
  assert.equal(responseFraming("GET", head(200, [cl], "1.0")).keepAlive, false);
  assert.equal(
    responseFraming("GET", head(200, [cl, ["connection", "keep-alive"]], "1.0")).keepAlive,
    true,
  );
});

Deno.test("responseFraming(): chunked with a Content-Length is chunked, and the connection closes", () => {
  assert.deepEqual(
    responseFraming("GET", head(200, [["content-length", "5"], ["transfer-encoding", "chunked"]])),
    { body: { kind: "chunked" }, keepAlive: false },
  );
});

Deno.test("responseFraming(): repeated equal lengths are one; different or bad ones are refused", () => {
  assert.deepEqual(
    responseFraming("GET", head(200, [["content-length", "5, 5"], ["content-length", "5"]])).body,
    { kind: "length", length: 5 },
  );
  for (const v of ["5, 6", "-1", "0x10", "", "1e3", "9999999999999999"]) {
    assert.throws(
      () => responseFraming("GET", head(200, [["content-length", v]])),
      (e) => e instanceof TransportError && e.code === "MalformedResponse",
      v,
    );
  }
  assert.throws(
    () => responseFraming("GET", head(200, [["content-length", "5"], ["content-length", "6"]])),
    /two lengths/,
  );
});

Deno.test("responseFraming(): a transfer coding other than chunked alone is refused", () => {
  for (const te of ["gzip, chunked", "chunked, gzip", "identity", "gzip"]) {
    assert.throws(
      () => responseFraming("GET", head(200, [["transfer-encoding", te]])),
      /transfer-encoding/,
      te,
    );
  }
  assert.throws(
    () => responseFraming("GET", head(200, [["transfer-encoding", "chunked"]], "1.0")),
    /transfer-encoding/,
  );
});
