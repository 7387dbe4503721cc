/** An anonymous caller's source network: its address cut to a prefix (`203.0.113.0/24`). */

/** The network of `ip` under an IPv4 or IPv6 prefix length; the address as is when unparseable. */
export function sourceNetwork(ip: string, ipv4Prefix: number, ipv6Prefix: number): string {
  const v4 = parseV4(ip.startsWith("::ffff:") ? ip.slice(7) : ip);
  if (v4 !== undefined) {
    const mask = ipv4Prefix === 0 ? 0 : (~0 << (32 - ipv4Prefix)) >>> 0;
    const n = (v4 & mask) >>> 0;
    return `${[24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".")}/${ipv4Prefix}`;
  }
  const v6 = parseV6(ip);
  if (v6 === undefined) return ip;
  const out = v6.map((group, i) => {
    const keep = Math.max(0, Math.min(16, ipv6Prefix - i * 16));
    return keep === 0 ? 0 : group & ((0xffff << (16 - keep)) & 0xffff);
  });
  return `${out.map((g) => g.toString(16)).join(":")}/${ipv6Prefix}`;
}

function parseV4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

/** Eight 16-bit groups, or undefined. */
function parseV6(s: string): number[] | undefined {
  const addr = s.replace(/%.*$/, "");
  if (!/^[0-9a-fA-F:]+$/.test(addr)) return undefined;
  const halves = addr.split("::");
  if (halves.length > 2) return undefined;
  const part = (h: string) => (h === "" ? [] : h.split(":"));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return undefined;
  const groups = [...head, ...Array(fill).fill("0"), ...tail];
  if (groups.some((g) => g.length === 0 || g.length > 4)) return undefined;
  return groups.map((g) => parseInt(g, 16));
}
