/**
 * Where webhooks may be delivered: HTTPS URLs whose host is a public name or
 * address. Refused: loopback, private, link-local, carrier-grade NAT,
 * unspecified and multicast addresses (IPv4, IPv6, IPv4-mapped IPv6), and
 * `localhost` and names under it, the cloud metadata names. A name that
 * resolves to such an address cannot be checked here (Workers have no DNS
 * API); Cloudflare's fetch does not reach private networks from Workers.
 * `allowLocal` (WEBHOOK_ALLOW_LOCAL_TARGETS, local development) lifts all this.
 */

const V4_PRIVATE: [number, number][] = [
  // [network, prefix length]
  [0x00000000, 8], // 0.0.0.0/8
  [0x0a000000, 8], // 10/8
  [0x64400000, 10], // 100.64/10 (CGNAT)
  [0x7f000000, 8], // 127/8
  [0xa9fe0000, 16], // 169.254/16 (link-local, cloud metadata)
  [0xac100000, 12], // 172.16/12
  [0xc0000000, 24], // 192.0.0/24
  [0xc0a80000, 16], // 192.168/16
  [0xc6120000, 15], // 198.18/15 (benchmarking)
  [0xe0000000, 4], // multicast
  [0xf0000000, 4], // reserved, broadcast
];

function v4(host: string): number | undefined {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

const inV4 = (ip: number) => V4_PRIVATE.some(([net, bits]) => ip >>> (32 - bits) === net >>> (32 - bits));

/** Whether an IPv6 literal (without brackets) is not a public unicast address. */
function privateV6(host: string): boolean {
  const h = host.toLowerCase();
  if (h === '::' || h === '::1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (mapped) return inV4(v4(mapped[1]!) ?? 0);
  if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(h)) return true; // mapped, in hex: refuse rather than decode
  const first = Number.parseInt(h.split(':')[0] || '0', 16);
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00 || h.startsWith('64:ff9b:');
}

const BLOCKED_NAMES = /(^|\.)(localhost|internal|local)$|^metadata\.google\.internal$|^metadata$/;

/** Why `url` may not receive webhooks, or undefined when it may. */
export function refusedTarget(url: string, allowLocal: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Must be an absolute URL';
  }
  if (parsed.username || parsed.password) return 'Must not carry credentials';
  if (allowLocal) return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? undefined : 'Must be an https:// URL';
  if (parsed.protocol !== 'https:') return 'Must be an https:// URL';
  const host = parsed.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  const ip4 = v4(host);
  if (ip4 !== undefined ? inV4(ip4) : host.includes(':') ? privateV6(host) : BLOCKED_NAMES.test(host)) {
    return 'Must not be a loopback, private, link-local or metadata address';
  }
  if (ip4 === undefined && !host.includes(':') && !host.includes('.')) return 'Must be a fully qualified host name';
  return undefined;
}
