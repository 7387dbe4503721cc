import assert from "node:assert/strict";
import { answerPreflight, corsOf, type CorsSources } from "../../../src/http/cors_preflight.ts";
import type { BucketConfig, CorsConfig } from "../../../src/config/types.ts";

const rules = (origin: string): CorsConfig => ({
  allowedOrigins: [origin],
  allowedMethods: ["GET", "PUT"],
  allowedHeaders: ["*"],
  exposeHeaders: [],
  maxAgeSecs: 600,
});
const bucket = (name: string, cors?: CorsConfig): { config: BucketConfig } => ({
  config: {
    name,
    backend: { type: "memory" },
    anonymousAccess: false,
    backendPrefix: "",
    allowedRoles: [],
    ...(cors ? { cors } : {}),
  },
});
const TOP = rules("https://top.example");
const OWN = rules("https://own.example");
const known = new Map([["own", bucket("own", OWN)], ["plain", bucket("plain")]]);
const sources = (fallback: CorsConfig | undefined): CorsSources => ({
  lookup: (name) => known.get(name),
  fallback,
});
const preflightHeaders = (origin: string, method = "PUT") =>
  new Headers({ origin, "access-control-request-method": method });

Deno.test("corsOf() takes a bucket's own rules, else the top-level ones", () => {
  assert.equal(corsOf("own", sources(TOP)), OWN);
  assert.equal(corsOf("plain", sources(TOP)), TOP);
  assert.equal(corsOf("plain", sources(undefined)), undefined);
});

Deno.test("corsOf() has no rules for an unknown bucket or none named", () => {
  assert.equal(corsOf("nope", sources(TOP)), undefined);
  assert.equal(corsOf("", sources(TOP)), undefined);
  assert.equal(corsOf(undefined, sources(TOP)), undefined);
});

Deno.test("answerPreflight() answers an allowed preflight 200 with the allow headers", () => {
  const r = answerPreflight("own", {
    ...sources(TOP),
    headers: preflightHeaders("https://own.example"),
  });
  assert.ok(r.ok);
  assert.equal(r.value.status, 200);
  assert.equal(r.value.headers.get("access-control-allow-origin"), "https://own.example");
  assert.equal(r.value.headers.get("access-control-allow-methods"), "GET, PUT");
  assert.equal(r.value.headers.get("access-control-max-age"), "600");
});

Deno.test("answerPreflight() answers an unknown bucket NoSuchBucket", () => {
  const r = answerPreflight("nope", {
    ...sources(TOP),
    headers: preflightHeaders("https://top.example"),
  });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BucketNotFound");
});

Deno.test("answerPreflight() refuses with S3's message for each refusal", () => {
  const noOrigin = answerPreflight("own", { ...sources(TOP), headers: new Headers() });
  assert.ok(!noOrigin.ok);
  assert.equal(noOrigin.error.kind, "CorsBadRequest");
  assert.equal(noOrigin.error.message, "Insufficient information. Origin request header needed.");
  const noMethod = answerPreflight("own", {
    ...sources(TOP),
    headers: new Headers({ origin: "https://own.example" }),
  });
  assert.ok(!noMethod.ok);
  assert.equal(noMethod.error.kind, "CorsBadRequest");
  assert.equal(noMethod.error.message, "Invalid Access-Control-Request-Method: null");
  const badMethod = answerPreflight("own", {
    ...sources(TOP),
    headers: preflightHeaders("https://own.example", "PATCH"),
  });
  assert.ok(!badMethod.ok);
  assert.equal(badMethod.error.message, "Invalid Access-Control-Request-Method: PATCH");
  const notEnabled = answerPreflight("plain", {
    ...sources(undefined),
    headers: preflightHeaders("https://top.example"),
  });
  assert.ok(!notEnabled.ok);
  assert.equal(notEnabled.error.message, "CORSResponse: CORS is not enabled for this bucket.");
  const notAllowed = answerPreflight("own", {
    ...sources(TOP),
    headers: preflightHeaders("https://own.example", "DELETE"),
  });
  assert.ok(!notAllowed.ok);
  assert.match(notAllowed.error.message, /^CORSResponse: This CORS request is not allowed\./);
});

Deno.test("answerPreflight() without a bucket named has no rules (CORS not enabled)", () => {
  const r = answerPreflight("", {
    ...sources(TOP),
    headers: preflightHeaders("https://top.example"),
  });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "CorsForbidden");
  assert.equal(r.error.message, "CORSResponse: CORS is not enabled for this bucket.");
});
