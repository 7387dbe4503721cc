/**
 * A path-mapped config for in-process tests: acme--data (public), acme--logs
 * and acme--zeta (private) and other--x shown as `acme` and `other`, a key
 * (LIMITED) that may only list and read acme--logs, and seeded objects.
 */
import assert from "node:assert/strict";
import type { Action, BucketConfig, Config, CredentialConfig } from "../../src/config/types.ts";
import { type Harness, harness, testConfig } from "./_harness.ts";

/** May list and read acme--logs, nothing else (the public acme--data aside). */
export const LIMITED = { id: "AKIDLIMITED00000001", secret: "limited-secret-key-1" } as const;

/** The LIMITED key allowed `actions` on acme--logs. */
export function limitedKey(actions: Action[]): CredentialConfig {
  return {
    accessKeyId: LIMITED.id,
    secretAccessKey: LIMITED.secret,
    principalName: "limited",
    enabled: true,
    allowedScopes: [{ bucket: "acme--logs", prefixes: [], actions }],
  };
}

function bucket(name: string, anonymousAccess = false): BucketConfig {
  return {
    name,
    backend: { type: "memory" },
    anonymousAccess,
    backendPrefix: "",
    allowedRoles: [],
  };
}

/** acme--data (public), acme--logs and acme--zeta (private), other--x. */
export function mappedConfig(overrides: Partial<Config> = {}): Config {
  const base = testConfig();
  return {
    ...base,
    pathMapping: { bucketSegments: 2, separator: "--", displayBucketSegments: 1 },
    buckets: [
      bucket("acme--data", true),
      bucket("acme--logs"),
      bucket("acme--zeta"),
      bucket("other--x"),
    ],
    credentials: [...base.credentials, limitedKey(["list_bucket", "get_object"])],
    ...overrides,
  };
}

/** Stores `key` straight into a configured bucket. */
export async function store(h: Harness, name: string, key: string): Promise<void> {
  const body = new Blob([key]).stream();
  const r = await h.raw.get(name)!.put(key, body, { meta: { userMetadata: {} } });
  assert.ok(r.ok, `store ${name}/${key}`);
}

/** The texts of every `<tag>` element of `xml`, in order. */
export function tags(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))].map((m) => m[1]!);
}

/** A mapped harness with data/file.parquet, data/sub/{a,b}.txt, logs/2026/0{1,2}.log, zeta/z.bin. */
export async function seeded(overrides: Partial<Config> = {}): Promise<Harness> {
  const h = harness(mappedConfig(overrides));
  for (const k of ["file.parquet", "sub/a.txt", "sub/b.txt"]) await store(h, "acme--data", k);
  for (const k of ["2026/01.log", "2026/02.log"]) await store(h, "acme--logs", k);
  await store(h, "acme--zeta", "z.bin");
  return h;
}
