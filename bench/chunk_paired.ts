// deno-lint-ignore-file no-console -- a bench tool prints its results.
/**
 * Paired in-process A/B of an aws-chunked upload's chunk-signature check
 * (issue 30): each checkout's `signatureChain` over the same chain of 2,000
 * valid chunk signatures, the checkouts' runs interleaved over 40 rounds in
 * alternating order and timed in the process's CPU time. Prints each
 * checkout's min and median µs per chunk, the median per-round difference
 * (after − before), and how many rounds the second was cheaper.
 *
 *   deno run -A bench/chunk_paired.ts <before checkout> <after checkout>
 */
import { cpuUsage } from "node:process";

const here = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const roots = Deno.args.slice(0, 2).map((d) => d === "." ? here : d);
if (roots.length !== 2) throw new Error("usage: chunk_paired.ts <before> <after>");
const CHUNKS = 2000, ROUNDS = 40;
const amzDate = "20261208T005404Z", scope = "20261208/us-east-1/s3/aws4_request";
const seedSignature = "a".repeat(64);
const fns: (() => void)[] = [];
for (const dir of roots) {
  const { signatureChain } = await import(`${dir}/src/auth/aws_chunked/signature_chain.ts`);
  const sk = await import(`${dir}/src/sigv4/signing_key.ts`);
  const signingKey = sk.deriveSigningKey("secret", "20261208", "us-east-1", "s3");
  const hashes = Array.from({ length: CHUNKS }, (_, i) => sk.sha256Hex(`chunk ${i}`));
  const signatures: string[] = [];
  let previous = seedSignature;
  for (const hash of hashes) {
    previous = sk.hmacHex(
      signingKey,
      `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${previous}\n${sk.EMPTY_SHA256}\n${hash}`,
    );
    signatures.push(previous);
  }
  fns.push(() => {
    const chain = signatureChain({ signingKey, amzDate, scope, seedSignature });
    for (let i = 0; i < CHUNKS; i++) chain.verifyChunk(signatures[i]!, hashes[i]!);
  });
}
for (let w = 0; w < 20; w++) for (const f of fns) f();
const t: number[][] = [[], []];
for (let round = 0; round < ROUNDS; round++) {
  for (const k of round % 2 ? [1, 0] : [0, 1]) {
    const s = cpuUsage();
    fns[k]!();
    const d = cpuUsage(s);
    t[k]!.push((d.user + d.system) / CHUNKS);
  }
}
const d = t[1]!.map((x, i) => x - t[0]![i]!);
const q = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.floor(p * (a.length - 1))]!;
const f = (x: number) => x.toFixed(2);
console.log(
  `chunk: before min ${f(q(t[0]!, 0))} med ${f(q(t[0]!, .5))} | after min ${f(q(t[1]!, 0))} med ${
    f(q(t[1]!, .5))
  } | diff med ${f(q(d, .5))} IQR ${f(q(d, .25))}…${f(q(d, .75))} after cheaper ${
    d.filter((x) => x < 0).length
  }/${ROUNDS}`,
);
