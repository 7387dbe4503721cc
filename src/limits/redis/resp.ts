/** RESP2, the Redis wire format: commands as arrays of bulk strings, replies parsed incrementally. */
import { concatBytes } from "../../bytes.ts";

/** A reply: a string, an integer, null, an error, or an array of replies. */
export type Reply = string | number | null | RedisReplyError | Reply[];

/** An error reply (`-ERR …`), as a value: it answers one command, the connection goes on. */
export class RedisReplyError extends Error {
  override readonly name = "RedisReplyError";
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A command as RESP bytes: `*<n>\r\n` then each argument as `$<len>\r\n<bytes>\r\n`. */
export function encodeCommand(args: readonly (string | number)[]): Uint8Array {
  const parts = args.map((a) => enc.encode(String(a)));
  let text = `*${parts.length}\r\n`;
  const head: Uint8Array[] = [];
  for (const p of parts) {
    head.push(enc.encode(`${text}$${p.byteLength}\r\n`), p);
    text = "\r\n";
  }
  head.push(enc.encode(text));
  return concatBytes(head);
}

/** One parsed reply and where the next begins; undefined when the buffer holds only part of it. */
export function parseReply(
  buf: Uint8Array,
  at: number,
): { value: Reply; next: number } | undefined {
  const eol = lineEnd(buf, at);
  if (eol < 0) return undefined;
  const line = dec.decode(buf.subarray(at + 1, eol));
  const after = eol + 2;
  switch (buf[at]) {
    case 0x2b: // +
      return { value: line, next: after };
    case 0x2d: // -
      return { value: new RedisReplyError(line), next: after };
    case 0x3a: // :
      return { value: Number(line), next: after };
    case 0x24: { // $
      const n = Number(line);
      if (n < 0) return { value: null, next: after };
      if (buf.byteLength < after + n + 2) return undefined;
      return { value: dec.decode(buf.subarray(after, after + n)), next: after + n + 2 };
    }
    case 0x2a: { // *
      const n = Number(line);
      if (n < 0) return { value: null, next: after };
      const items: Reply[] = [];
      let next = after;
      for (let i = 0; i < n; i++) {
        const item = parseReply(buf, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`not a RESP reply (byte ${buf[at]})`);
  }
}

function lineEnd(buf: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buf.byteLength; i++) {
    if (buf[i] === 0x0d && buf[i + 1] === 0x0a) return i;
  }
  return -1;
}
