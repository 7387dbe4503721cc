/** An anonymous caller's source network: its address cut to a prefix (`203.0.113.0/24`). */
import { ipText, maskIp, parseIp } from "../ip.ts";

/** The network of `ip` under an IPv4 or IPv6 prefix length; the address as is when unparseable. */
export function sourceNetwork(ip: string, ipv4Prefix: number, ipv6Prefix: number): string {
  const bytes = parseIp(ip);
  if (!bytes) return ip;
  const bits = bytes.length === 4 ? ipv4Prefix : ipv6Prefix;
  return `${ipText(maskIp(bytes, bits))}/${bits}`;
}
