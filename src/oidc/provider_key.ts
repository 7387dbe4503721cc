/**
 * bucketgate's OIDC signing keys: an RSA private key in PEM (PKCS#1
 * `RSA PRIVATE KEY` or PKCS#8 `PRIVATE KEY`), imported for RS256, with its
 * public half as a JWK whose `kid` is the RFC 7638 thumbprint.
 */
import { calculateJwkThumbprint } from "jose";
import { err, ok, type Result } from "../result.ts";

/** A signing key and the public JWK that verifies it. */
export interface ProviderKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** `kty`, `n`, `e`, `kid`, `alg: RS256`, `use: sig`: never a private member. */
  readonly publicJwk: Readonly<Record<string, string>>;
}

const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

/** Smallest modulus accepted (bits): AWS and RFC 7518 §3.3 ask for 2048. */
const MIN_MODULUS_BITS = 2048;

/**
 * Reads a PEM RSA private key. An environment file often holds the PEM on one
 * line with `\n` escapes; those are accepted too. The error names `name`.
 */
export async function parseProviderKey(
  name: string,
  pem: string,
): Promise<Result<ProviderKey, string>> {
  const text = pem.includes("\\n") ? pem.replace(/\\n/g, "\n") : pem;
  const block = /-----BEGIN (RSA PRIVATE KEY|PRIVATE KEY)-----([\s\S]*?)-----END \1-----/.exec(
    text,
  );
  if (!block) {
    return err(`${name}: not a PEM RSA private key (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)`);
  }
  let der: Uint8Array;
  try {
    der = Uint8Array.from(atob(block[2]!.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  } catch {
    return err(`${name}: the PEM body is not base64`);
  }
  const pkcs8 = block[1] === "RSA PRIVATE KEY" ? wrapPkcs1(der) : der;
  let privateKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey(
      "pkcs8",
      pkcs8 as Uint8Array<ArrayBuffer>,
      RS256,
      true,
      ["sign"],
    );
  } catch {
    return err(`${name}: not a valid RSA private key`);
  }
  const jwk = await crypto.subtle.exportKey("jwk", privateKey);
  if (!jwk.n || !jwk.e) return err(`${name}: not an RSA key`);
  const bits = modulusBits(jwk.n);
  if (bits < MIN_MODULUS_BITS) {
    return err(`${name}: the RSA key has ${bits} bits; at least ${MIN_MODULUS_BITS} are needed`);
  }
  const kid = await calculateJwkThumbprint({ kty: "RSA", n: jwk.n, e: jwk.e }, "sha256");
  // The signing key is re-imported as non-extractable: nothing can read it back out.
  const signing = await crypto.subtle.importKey(
    "pkcs8",
    pkcs8 as Uint8Array<ArrayBuffer>,
    RS256,
    false,
    ["sign"],
  );
  return ok({
    kid,
    privateKey: signing,
    publicJwk: { kty: "RSA", n: jwk.n, e: jwk.e, kid, alg: "RS256", use: "sig" },
  });
}

/** Bits of a base64url big-endian modulus. */
function modulusBits(n: string): number {
  const bytes = atob(n.replace(/-/g, "+").replace(/_/g, "/"));
  let i = 0;
  while (i < bytes.length && bytes.charCodeAt(i) === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes.charCodeAt(i)));
}

/** rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters, DER-encoded. */
const RSA_ALGORITHM_ID = "300d06092a864886f70d0101010500".match(/../g)!.map((h) => parseInt(h, 16));

/** DER length octets. */
function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

/**
 * Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (RFC 5208 §5:
 * version 0, the rsaEncryption algorithm, the key as an OCTET STRING), the
 * one form WebCrypto imports.
 */
export function wrapPkcs1(pkcs1: Uint8Array): Uint8Array {
  // INTEGER 0, the algorithm, then the OCTET STRING's tag and length.
  const body = [0x02, 0x01, 0x00, ...RSA_ALGORITHM_ID, 0x04, ...derLength(pkcs1.length)];
  const inner = body.length + pkcs1.length;
  const head = [0x30, ...derLength(inner)];
  const out = new Uint8Array(head.length + inner);
  out.set(head, 0);
  out.set(body, head.length);
  out.set(pkcs1, head.length + body.length);
  return out;
}
