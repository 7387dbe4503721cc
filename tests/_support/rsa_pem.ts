/** RSA private keys in PEM, both encodings of one key, for OIDC issuer tests. */
import { createPrivateKey, generateKeyPairSync } from "node:crypto";

/** One key as PKCS#1 (`RSA PRIVATE KEY`) and PKCS#8 (`PRIVATE KEY`) PEM. */
export interface RsaPem {
  readonly pkcs1: string;
  readonly pkcs8: string;
}

/** A fresh RSA key (2048 bits unless told). */
export function rsaPem(modulusLength = 2048): RsaPem {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const pkcs8 = createPrivateKey(privateKey).export({ type: "pkcs8", format: "pem" });
  return { pkcs1: privateKey, pkcs8: String(pkcs8) };
}
