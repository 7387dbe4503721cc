/**
 * A throwaway CA and a leaf certificate for 127.0.0.1 and localhost signed by
 * it, made with openssl (rustls refuses a self-signed CA used as the server's
 * own certificate, so the leaf is separate).
 */

/** Paths of the files `makeCerts` writes. */
export interface TestCerts {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Writes ca.pem, leaf.pem and leaf.key into `dir`. */
export async function makeCerts(dir: string): Promise<TestCerts> {
  await Deno.writeTextFile(
    `${dir}/ext`,
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  const rsa = ["-newkey", "rsa:2048", "-nodes"];
  await openssl(
    [
      "req",
      "-x509",
      ...rsa,
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      "-subj",
      "/CN=bucketgate test CA",
    ],
    dir,
  );
  await openssl([
    "req",
    ...rsa,
    "-keyout",
    "leaf.key",
    "-out",
    "leaf.csr",
    "-subj",
    "/CN=127.0.0.1",
  ], dir);
  await openssl(
    [
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "leaf.pem",
      "-days",
      "2",
      "-extfile",
      "ext",
    ],
    dir,
  );
  return { caFile: `${dir}/ca.pem`, certFile: `${dir}/leaf.pem`, keyFile: `${dir}/leaf.key` };
}
