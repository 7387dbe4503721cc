/** An az bucket's backend_options: the keys it may hold, parsed into AzOptions or its problems. */
import { err, ok, type Result } from "../../result.ts";
import { isHttpUrl } from "../url.ts";
import { type OptionProblem, requestTimeoutMs, unknownKeyProblems } from "./problems.ts";

/** An account and its key (base64, as the portal shows it). */
export interface AzSharedKey {
  readonly accountName: string;
  readonly accountKey: string;
}

/** How requests to Azure are authorized. */
export type AzAuth =
  | { readonly kind: "shared-key"; readonly credentials: AzSharedKey }
  | { readonly kind: "sas"; readonly token: string }
  | { readonly kind: "anonymous" };

/** Validated options of an az bucket. */
export interface AzOptions {
  readonly accountName: string;
  readonly containerName: string;
  /** Account endpoint without a trailing slash; for Azurite it ends in `/<account>`. */
  readonly endpoint: string;
  readonly auth: AzAuth;
  readonly requestTimeoutMs: number;
}

/** The keys an az bucket's backend_options may hold. */
export const AZ_OPTION_KEYS = [
  "account_name",
  "container_name",
  "access_key",
  "sas_token",
  "endpoint",
  "skip_signature",
  "request_timeout_secs",
] as const;

// Azure container names: 3-63 of lower-case letters, digits and single hyphens.
const CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

/** An az bucket's backend_options as AzOptions, or every problem (paths relative to them). */
export function parseAzOptions(
  o: Readonly<Record<string, unknown>>,
): Result<AzOptions, OptionProblem[]> {
  const problems = [...nameProblems(o), ...authProblems(o), ...transportProblems(o)];
  return problems.length > 0 ? err(problems) : ok(azOptions(o));
}

function nameProblems(o: Readonly<Record<string, unknown>>): OptionProblem[] {
  const p = unknownKeyProblems(o, AZ_OPTION_KEYS, "unknown option for the az backend");
  if (typeof o.account_name !== "string" || !/^[a-z0-9]{3,24}$/.test(o.account_name)) {
    p.push({ path: "account_name", message: "required: 3-24 lower-case letters and digits" });
  }
  if (typeof o.container_name !== "string" || !CONTAINER.test(o.container_name)) {
    p.push({
      path: "container_name",
      message: "required: 3-63 lower-case letters, digits and single hyphens",
    });
  }
  return p;
}

function authProblems(o: Readonly<Record<string, unknown>>): OptionProblem[] {
  const p: OptionProblem[] = [];
  const ways = [o.access_key !== undefined, o.sas_token !== undefined, o.skip_signature === true];
  if (ways.filter(Boolean).length !== 1) {
    p.push({
      path: "access_key",
      message: "give exactly one of access_key (Shared Key), sas_token, or skip_signature: true",
    });
  }
  if (o.access_key !== undefined) {
    const key = typeof o.access_key === "string" ? o.access_key : "";
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0) {
      p.push({ path: "access_key", message: "must be the account key in base64" });
    }
  }
  if (o.sas_token !== undefined && (typeof o.sas_token !== "string" || !/sig=/.test(o.sas_token))) {
    p.push({ path: "sas_token", message: "must be a SAS query string (with sig=…)" });
  }
  return p;
}

function transportProblems(o: Readonly<Record<string, unknown>>): OptionProblem[] {
  const p: OptionProblem[] = [];
  if (o.endpoint !== undefined && !isHttpUrl(o.endpoint)) {
    p.push({ path: "endpoint", message: "must be an http(s) URL" });
  }
  const t = o.request_timeout_secs;
  if (t !== undefined && (typeof t !== "number" || !(t > 0))) {
    p.push({ path: "request_timeout_secs", message: "must be a positive number" });
  }
  return p;
}

function azOptions(o: Readonly<Record<string, unknown>>): AzOptions {
  const accountName = String(o.account_name);
  const endpoint = typeof o.endpoint === "string"
    ? o.endpoint.replace(/\/+$/, "")
    : `https://${accountName}.blob.core.windows.net`;
  const auth: AzAuth = typeof o.access_key === "string"
    ? { kind: "shared-key", credentials: { accountName, accountKey: o.access_key } }
    : typeof o.sas_token === "string"
    ? { kind: "sas", token: o.sas_token.replace(/^\?/, "") }
    : { kind: "anonymous" };
  return {
    accountName,
    containerName: String(o.container_name),
    endpoint,
    auth,
    requestTimeoutMs: requestTimeoutMs(o),
  };
}
