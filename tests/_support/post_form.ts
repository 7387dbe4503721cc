/**
 * Browser POST forms for tests, signed independently of src/ (node:crypto's
 * HMACs, the steps written out as S3's docs give them): a policy document,
 * its SigV4 or SigV2 fields, and the multipart/form-data body a browser sends.
 */
import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";

/** A signing key (with a session token for temporary credentials). */
export interface FormKey {
  readonly id: string;
  readonly secret: string;
  readonly token?: string;
}

/** What a signed form is made of. */
export interface PresignedPostOptions {
  readonly bucket: string;
  /** The key field (may hold `${filename}`). */
  readonly key: string;
  readonly signer: FormKey;
  /** Conditions besides bucket, key and the signature's own (added as boto3 adds them). */
  readonly conditions?: readonly unknown[];
  /** Fields besides key and the signature's. */
  readonly fields?: Readonly<Record<string, string>>;
  /** When the policy expires, in ms since the epoch. */
  readonly expiresAt: number;
  /** The signing time (its day names the credential scope); default expiresAt - 1 h. */
  readonly signedAt?: number;
  /** @default 4 */
  readonly version?: 2 | 4;
  /** Leave out the key condition boto3 adds. */
  readonly noKeyCondition?: boolean;
}

function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

const hmac = (key: string | Buffer, data: string) =>
  createHmac("sha256", key).update(data, "utf8").digest();

/** The fields of a presigned POST, in boto3's order (key first, the signature last). */
export function presignedPost(o: PresignedPostOptions): [string, string][] {
  const version = o.version ?? 4;
  const signedAt = o.signedAt ?? o.expiresAt - 3600_000;
  const date = amzDate(signedAt);
  const day = date.slice(0, 8);
  const credential = `${o.signer.id}/${day}/us-east-1/s3/aws4_request`;
  const auth: [string, string][] = version === 4
    ? [["x-amz-algorithm", "AWS4-HMAC-SHA256"], ["x-amz-credential", credential], [
      "x-amz-date",
      date,
    ]]
    : [["AWSAccessKeyId", o.signer.id]];
  if (o.signer.token) auth.push(["x-amz-security-token", o.signer.token]);
  const keyCondition = o.key.endsWith("${filename}")
    ? ["starts-with", "$key", o.key.slice(0, -"${filename}".length)]
    : { key: o.key };
  const conditions = [
    ...(o.conditions ?? []),
    { bucket: o.bucket },
    ...(o.noKeyCondition ? [] : [keyCondition]),
    ...auth.filter(([n]) => n !== "AWSAccessKeyId").map(([n, v]) => ({ [n]: v })),
  ];
  const policy = Buffer.from(
    JSON.stringify({ expiration: new Date(o.expiresAt).toISOString(), conditions }),
    "utf8",
  ).toString("base64");
  const fields: [string, string][] = [
    ["key", o.key],
    ...Object.entries(o.fields ?? {}),
    ...auth,
    ["policy", policy],
  ];
  if (version === 2) {
    fields.push(["signature", createHmac("sha1", o.signer.secret).update(policy).digest("base64")]);
  } else {
    const k = hmac(
      hmac(hmac(hmac("AWS4" + o.signer.secret, day), "us-east-1"), "s3"),
      "aws4_request",
    );
    fields.push(["x-amz-signature", createHmac("sha256", k).update(policy).digest("hex")]);
  }
  return fields;
}

/** A multipart/form-data body: the fields, then the file (last, as S3 requires). */
export interface FormBody {
  readonly contentType: string;
  readonly body: Uint8Array<ArrayBuffer>;
}

/** The body a browser sends for `fields` and a file part named `file`. */
export function formBody(
  fields: readonly (readonly [string, string])[],
  file: { readonly data: Uint8Array | string; readonly filename?: string; readonly type?: string },
  boundary = "----bucketgateFormBoundary7MA4YWxkTrZu0gW",
): FormBody {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const [name, value] of fields) {
    parts.push(enc.encode(
      `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
    ));
  }
  const filename = file.filename !== undefined ? `; filename="${file.filename}"` : "";
  const type = file.type !== undefined ? `\r\ncontent-type: ${file.type}` : "";
  parts.push(enc.encode(
    `--${boundary}\r\ncontent-disposition: form-data; name="file"${filename}${type}\r\n\r\n`,
  ));
  parts.push(typeof file.data === "string" ? enc.encode(file.data) : file.data);
  parts.push(enc.encode(`\r\n--${boundary}--\r\n`));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const body = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    body.set(p, at);
    at += p.length;
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, body };
}

/** The Request a browser sends to `url` for `fields` and a file, with its Content-Length. */
export function formRequest(
  url: string,
  fields: readonly (readonly [string, string])[],
  file: Parameters<typeof formBody>[1],
): Request {
  const { contentType, body } = formBody(fields, file);
  return new Request(url, {
    method: "POST",
    headers: {
      host: new URL(url).host,
      "content-type": contentType,
      "content-length": String(body.length),
    },
    body,
  });
}
