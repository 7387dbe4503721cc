/**
 * IP addresses and CIDR ranges as bytes: parsing (IPv4, IPv6 with its
 * shorthands, IPv4-mapped IPv6 read as IPv4), range membership, and an
 * address cut to its network. The trusted-proxy list (http/forwarded.ts), the
 * policies' `IpAddress` conditions (iam/operators.ts) and the rate limits'
 * source networks (limits/source_net.ts) share it.
 */

/** An address range: the network's bytes (4 or 16) and its prefix length. */
export interface IpRange {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

/** An IP address or CIDR range (`10.0.0.0/8`, `::1`); undefined when it is neither. */
export function parseRange(entry: string): IpRange | undefined {
  const [addr = "", bits, ...rest] = entry.split("/");
  const bytes = parseIp(addr);
  if (!bytes || rest.length > 0) return undefined;
  if (bits === undefined) return { bytes, bits: bytes.length * 8 };
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > bytes.length * 8) return undefined;
  return { bytes, bits: Number(bits) };
}

/** Whether an address (as `parseIp` gives it) lies in a range of the same family. */
export function inRange(bytes: Uint8Array, range: IpRange): boolean {
  if (bytes.length !== range.bytes.length) return false;
  const whole = range.bits >> 3;
  for (let i = 0; i < whole; i++) if (bytes[i] !== range.bytes[i]) return false;
  const rest = range.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (bytes[whole]! & mask) === (range.bytes[whole]! & mask);
}

/** The network of an address (as `parseIp` gives it): its first `bits` bits, the rest zero. */
export function maskIp(bytes: Uint8Array, bits: number): Uint8Array {
  return bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
}

/** An address (as `parseIp` gives it) as text: dotted IPv4, or eight hex groups, unshortened. */
export function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join(".");
  const groups: string[] = [];
  for (let i = 0; i < bytes.length; i += 2) {
    groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  }
  return groups.join(":");
}

const IPV4 =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function ipv4(s: string): Uint8Array | undefined {
  const m = IPV4.exec(s);
  return m ? Uint8Array.of(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])) : undefined;
}

/**
 * An IP address as bytes: 4 for IPv4 (and for an IPv4-mapped IPv6 address,
 * which a dual-stack listener reports for IPv4 peers), 16 for IPv6. Brackets
 * and a zone (`%eth0`) are allowed; anything else is undefined.
 */
export function parseIp(s: string): Uint8Array | undefined {
  const v4 = ipv4(s);
  if (v4) return v4;
  let text = s.startsWith("[") && s.endsWith("]") ? s.slice(1, -1) : s;
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  if (!text.includes(":")) return undefined;
  // Either eight groups, or "::" once standing for the zero groups left out.
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groupsOf(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [
    ...head,
    ...new Array<number>(halves.length === 2 ? missing : 0).fill(0),
    ...tail,
  ];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  const mapped = bytes.subarray(0, 12).every((b, i) => b === (i < 10 ? 0 : 0xff));
  return mapped ? bytes.slice(12) : bytes;
}

/** The 16-bit groups of one side of "::"; a dotted IPv4 may end the address. */
function groupsOf(text: string, last: boolean): number[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (last && i === parts.length - 1 && part.includes(".")) {
      const v4 = ipv4(part);
      if (!v4) return undefined;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}
