/** The STS integration tests' role, app and calls: a role over the test config, minting through the app. */
import assert from "node:assert/strict";
import { ACTIONS, type Config, type RoleConfig } from "../../src/config/types.ts";
import { createJwksCache } from "../../src/sts/jwks.ts";
import { fakeIssuer, signToken, TEST_ISSUER, testKey } from "../_support/oidc.ts";
import { BASE, harness, NOW, testConfig } from "./_harness.ts";

export const KEY = new Uint8Array(32).fill(1);
export const OTHER_KEY = new Uint8Array(32).fill(2);
export const signing = await testKey("k1");

export const CI: RoleConfig = {
  roleId: "ci",
  name: "CI",
  trustedOidcIssuers: [TEST_ISSUER],
  requiredAudiences: ["sts.bucketgate.test"],
  subjectConditions: ["repo:org/*"],
  maxSessionDurationSecs: 7200,
  allowedScopes: [
    {
      bucket: "private",
      prefixes: ["releases/"],
      actions: ["get_object", "put_object", "list_bucket"],
    },
    { bucket: "{sub}", prefixes: [], actions: [...ACTIONS] },
    { bucket: "public", prefixes: ["{team}/"], actions: ["put_object"] },
    { bucket: "*", prefixes: ["shared/"], actions: ["get_object"] },
  ],
};
export const OTHER: RoleConfig = { ...CI, roleId: "other", allowedScopes: [] };

/** The app with roles CI and OTHER, a bucket gated to OTHER, and (unless keys is false) session keys. */
export function setup(
  options: { keys?: boolean; sessionKey?: Uint8Array; config?: Partial<Config> } = {},
) {
  const issuer = fakeIssuer([signing.publicJwk]);
  const base = testConfig();
  const config = testConfig({
    roles: [CI, OTHER],
    buckets: [
      ...base.buckets,
      { ...base.buckets[1]!, name: "gated", allowedRoles: ["other"] },
    ],
    ...options.config,
  });
  const h0 = harness(config, {
    ...(options.keys === false ? {} : { sessionKeys: { current: options.sessionKey ?? KEY } }),
    jwks: createJwksCache({ clock: { now: () => NOW }, fetch: issuer.fetch }),
  });
  return { ...h0, issuer };
}

export interface Minted {
  readonly id: string;
  readonly secret: string;
  readonly token: string;
  readonly expiration: string;
  readonly xml: string;
}

export async function mint(
  h: ReturnType<typeof setup>,
  params: Record<string, string> = {},
  claims: Record<string, unknown> = {},
): Promise<Response> {
  const body = new URLSearchParams({
    Action: "AssumeRoleWithWebIdentity",
    Version: "2011-06-15",
    RoleArn: "arn:aws:iam::123456789012:role/ci",
    RoleSessionName: "build-42",
    WebIdentityToken: await signToken(signing, { aud: "sts.bucketgate.test", ...claims }, {
      now: NOW,
    }),
    ...params,
  });
  return await h.handle(
    new Request(BASE + "/", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    }),
  );
}

export async function credentials(res: Response): Promise<Minted> {
  const xml = await res.text();
  assert.equal(res.status, 200, xml);
  const get = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? "";
  return {
    id: get("AccessKeyId"),
    secret: get("SecretAccessKey"),
    token: get("SessionToken"),
    expiration: get("Expiration"),
    xml,
  };
}
