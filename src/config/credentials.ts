/** `credentials:`: long-lived access keys, each with its scopes. */
import type { Fields, Reader } from "./_reader.ts";
import { accessKeyIdProblem } from "./_rules.ts";
import type { Item } from "./_reader.ts";
import { check, claimUnique, sections } from "./_sections.ts";
import { readPolicyRefs } from "./policies.ts";
import { readScopes } from "./scopes.ts";
import type { CredentialConfig } from "./types.ts";

/** The keys each item of `credentials:` may hold. */
export const CREDENTIAL_KEYS = [
  "access_key_id",
  "secret_access_key",
  "principal_name",
  "created_at",
  "expires_at",
  "enabled",
  "allowed_scopes",
  "policies",
] as const;

/** The credentials, and the `policies:` each names (resolved once the documents are read). */
export interface CredentialsRead {
  readonly credentials: CredentialConfig[];
  readonly policyRefs: Map<CredentialConfig, Item<string>[]>;
}

/** The credentials; access key ids are unique. */
export function readCredentials(
  r: Reader,
  top: Fields,
  bucketNames: ReadonlySet<string>,
): CredentialsRead {
  const credentials: CredentialConfig[] = [];
  const policyRefs = new Map<CredentialConfig, Item<string>[]>();
  const firstById = new Map<string, string>();
  for (const f of sections(r, top, "credentials", { keys: CREDENTIAL_KEYS })) {
    const id = r.string(f, "access_key_id", { required: true });
    if (id) {
      check(r, id, accessKeyIdProblem(id.value));
      claimUnique(r, firstById, id, "access key id");
    }
    const rest = readCredential(r, f, bucketNames);
    const refs = readPolicyRefs(r, f);
    if (id && rest) {
      const credential = {
        accessKeyId: id.value,
        ...rest,
        principalName: rest.principalName ?? id.value,
      };
      credentials.push(credential);
      policyRefs.set(credential, refs);
    }
  }
  return { credentials, policyRefs };
}

/** One credential but its id; undefined without a usable secret. */
function readCredential(
  r: Reader,
  f: Fields,
  bucketNames: ReadonlySet<string>,
):
  | Omit<CredentialConfig, "accessKeyId" | "principalName"> & { principalName?: string }
  | undefined {
  const secret = r.string(f, "secret_access_key", { required: true });
  check(
    r,
    secret,
    secret && secret.value.length < 8 ? "must be at least 8 characters" : undefined,
  );
  const principal = r.string(f, "principal_name");
  const createdAt = r.date(f, "created_at");
  const expiresAt = r.date(f, "expires_at");
  if (createdAt && expiresAt && expiresAt.value <= createdAt.value) {
    r.problem(expiresAt.path, "must be later than created_at", expiresAt.node);
  }
  const enabled = r.boolean(f, "enabled", true) ?? true;
  const allowedScopes = readScopes(r, f, "credential", bucketNames);
  if (!secret) return undefined;
  return {
    secretAccessKey: secret.value,
    ...(principal ? { principalName: principal.value } : {}),
    ...(createdAt ? { createdAt: createdAt.value } : {}),
    ...(expiresAt ? { expiresAt: expiresAt.value } : {}),
    enabled,
    allowedScopes,
  };
}
