// Which network addresses may be fetched: public unicast only, unless FETCH_ALLOW_PRIVATE names the host (ports 80 and 443), host:port or CIDR.
import ipaddr from 'ipaddr.js';

export interface AllowList {
  hosts: Set<string>;
  hostPorts: Set<string>;
  cidrs: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
  /** The list as configured, for messages. */
  text: string;
}

export const EMPTY_ALLOW_LIST: AllowList = { hosts: new Set(), hostPorts: new Set(), cidrs: [], text: '' };

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Parses `host, host:port, 10.0.0.0/8, [::1]:8080` into an AllowList; throws on a bad entry. */
export function parseAllowList(text: string): AllowList {
  const list: AllowList = { hosts: new Set(), hostPorts: new Set(), cidrs: [], text };
  for (const raw of text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (raw.includes('/')) {
      try {
        const [addr, bits] = ipaddr.parseCIDR(raw);
        list.cidrs.push([addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr, bits]);
      } catch {
        throw new Error(`bad CIDR "${raw}"`);
      }
      continue;
    }
    const hostPort = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(raw);
    if (hostPort) {
      list.hostPorts.add(`${normaliseHost(stripBrackets(hostPort[1]!))}:${Number(hostPort[2])}`);
      continue;
    }
    if (!/^[\w.\-:[\]]+$/.test(raw)) throw new Error(`bad host "${raw}"`);
    list.hosts.add(normaliseHost(stripBrackets(raw)));
  }
  return list;
}

function normaliseHost(host: string): string {
  const h = stripBrackets(host.toLowerCase()).replace(/\.$/, '');
  return ipaddr.isValid(h) ? ipaddr.process(h).toString() : h;
}

/** True when `ip` is a public unicast address (IPv4-mapped IPv6 judged as the IPv4 inside). */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const addr = ipaddr.process(ip);
  if (addr.range() !== 'unicast') return false;
  if (addr.kind() === 'ipv6') {
    // Ranges ipaddr.js files under unicast but that must not be reached from a server.
    const v6 = addr as ipaddr.IPv6;
    const first = v6.parts[0]!;
    if (first === 0x2002 || first === 0x64) return false; // 6to4 and NAT64 can wrap private IPv4
  }
  return true;
}

export interface Destination {
  /** Hostname as written in the URL (lower-case, no brackets). */
  host: string;
  port: number;
  /** The address actually used, when known. */
  ip?: string;
}

/** A bare host entry opens the web ports only: naming `10.0.0.5` must not open its database or admin ports. */
const WEB_PORTS = new Set([80, 443]);

/** True when the allow list names this host (on a web port), host:port, or a CIDR holding the address (any port). */
export function isAllowedPrivate(dest: Destination, list: AllowList): boolean {
  const host = normaliseHost(dest.host);
  const webPort = WEB_PORTS.has(dest.port);
  if ((webPort && list.hosts.has(host)) || list.hostPorts.has(`${host}:${dest.port}`)) return true;
  const candidates = [dest.ip, ipaddr.isValid(host) ? host : undefined].filter((x): x is string => !!x);
  for (const ip of candidates) {
    const addr = ipaddr.process(ip);
    for (const [range, bits] of list.cidrs) {
      if (range.kind() === addr.kind() && addr.match(range, bits)) return true;
    }
    const norm = addr.toString();
    if ((webPort && list.hosts.has(norm)) || list.hostPorts.has(`${norm}:${dest.port}`)) return true;
  }
  return false;
}

/** The one rule: public addresses pass, private ones only when allow-listed. */
export function mayConnect(dest: Destination & { ip: string }, list: AllowList): boolean {
  return isPublicAddress(dest.ip) || isAllowedPrivate(dest, list);
}
