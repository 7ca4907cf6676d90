import { isIP } from 'node:net';

/**
 * Which addresses the service may connect to when it calls an authorization server, a discovery
 * document or a JWKS. Every such URL is chosen by a caller (a provider's endpoints, a discovery
 * URL) or by a document a caller pointed us at, so without this policy the service would be a
 * proxy into its own network: the Lambda runtime API on loopback, the instance metadata service,
 * the VPC's private hosts. The policy is applied to the address actually connected to, after DNS
 * resolution (see ./http-client.ts), so a name that resolves (or rebinds) to a refused address is
 * refused too.
 */

/** An address as 16 bytes (IPv4 as its IPv4-mapped IPv6 form), so one matcher serves both families. */
type Bytes = Uint8Array;

interface Network {
  bytes: Bytes;
  /** Prefix length over the 128-bit form. */
  bits: number;
}

function parseIPv4(text: string): Bytes | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    out[12 + i] = Number(part);
  }
  return out;
}

function parseIPv6(text: string): Bytes | undefined {
  let address = text.replace(/%.*$/, ''); // a zone id does not change which network it is
  const out = new Uint8Array(16);
  // A trailing dotted quad (::ffff:1.2.3.4, ::1.2.3.4) stands for the last 32 bits.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (quad) {
    const v4 = parseIPv4(quad[1]!);
    if (!v4) return undefined;
    const high = ((v4[12]! << 8) | v4[13]!).toString(16);
    const low = ((v4[14]! << 8) | v4[15]!).toString(16);
    address = `${address.slice(0, quad.index)}${high}:${low}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups = halves.length === 2 ? [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail] : head;
  if (groups.length !== 8) return undefined;
  for (let i = 0; i < 8; i++) {
    const group = groups[i]!;
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
    const value = parseInt(group, 16);
    out[2 * i] = value >> 8;
    out[2 * i + 1] = value & 0xff;
  }
  return out;
}

/** An IP literal as 16 bytes; undefined when the text is no IP address. Accepts `[v6]` as URLs write it. */
export function parseAddress(text: string): Bytes | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const family = isIP(bare.replace(/%.*$/, ''));
  if (family === 4) return parseIPv4(bare);
  if (family === 6) return parseIPv6(bare);
  return undefined;
}

function network(cidr: string): Network {
  const [address, length] = cidr.split('/');
  const bytes = parseAddress(address!);
  if (!bytes) throw new Error(`not an IP network: ${cidr}`);
  const v4 = isIP(address!) === 4;
  const bits = length === undefined ? 128 : Number(length) + (v4 ? 96 : 0);
  if (!/^\d*$/.test(length ?? '') || !Number.isInteger(bits) || bits > 128 || (v4 && bits < 96)) throw new Error(`not an IP network: ${cidr}`);
  return { bytes, bits };
}

function contains(net: Network, bytes: Bytes): boolean {
  const full = Math.floor(net.bits / 8);
  for (let i = 0; i < full; i++) if (net.bytes[i] !== bytes[i]) return false;
  const rest = net.bits % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (net.bytes[full]! & mask) === (bytes[full]! & mask);
}

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one: IPv4-compatible (::a.b.c.d,
 * deprecated but still routed by some stacks) and NAT64's well-known prefix 64:ff9b::/96 (which a
 * DNS64 resolver hands out for any IPv4 name). IPv4-mapped addresses are already IPv4 in this form.
 */
function embeddedIPv4(bytes: Bytes): Bytes | undefined {
  const compatible = bytes.subarray(0, 12).every((b) => b === 0) && !(bytes[12] === 0 && bytes[13] === 0 && bytes[14] === 0 && bytes[15]! <= 1);
  const nat64 = bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && bytes.subarray(4, 12).every((b) => b === 0);
  if (!compatible && !nat64) return undefined;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(bytes.subarray(12), 12);
  return out;
}

/** Never reachable, not even through the allowlist: the metadata services, "this host", multicast. */
const NEVER = [
  '0.0.0.0/8', // "this network"; 0.0.0.0 connects to the local host
  '169.254.169.254/32', // EC2 / Lambda instance metadata
  '169.254.170.2/32', // ECS task metadata and credentials
  '169.254.170.23/32', // EKS pod identity agent
  'fd00:ec2::254/128', // EC2 instance metadata over IPv6
  'fd00:ec2::23/128', // EKS pod identity agent over IPv6
  '::/128', // unspecified
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
  'ff00::/8', // multicast
  // Transition prefixes that carry an IPv4 address to a relay or translator, which then reaches
  // it, whatever it is (metadata, private): no authorization server is published at one.
  '2002::/16', // 6to4
  '2001::/32', // Teredo
  '64:ff9b:1::/48', // local-use NAT64 (RFC 8215), the IPv4 address at a prefix-dependent place
];

/** Loopback: what ALLOW_LOOPBACK_ENDPOINTS (development, tests) lets through. */
const LOOPBACK = ['127.0.0.0/8', '::1/128'];

/** Refused unless an operator allowlists them (an identity provider inside the organization's network). */
const INTERNAL = [
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT, also used inside some cloud networks
  '169.254.0.0/16', // link-local
  '172.16.0.0/12',
  '192.0.0.0/24', // IETF protocol assignments
  '192.168.0.0/16',
  '198.18.0.0/15', // benchmarking, used by some VPN and proxy products internally
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'fec0::/10', // site-local (deprecated, still routed by some stacks)
];

let parsed: { never: Network[]; loopback: Network[]; internal: Network[] } | undefined;
/** Parsed on first use, not at import: parsing calls net.isIP, whose first call compiles Node's address regexes (milliseconds of every cold start). */
function networks() {
  return (parsed ??= { never: NEVER.map(network), loopback: LOOPBACK.map(network), internal: INTERNAL.map(network) });
}

export interface AddressPolicySettings {
  /** Loopback addresses and `localhost` names allowed (offline, tests). */
  allowLoopback: boolean;
  /** Operator allowlist: CIDRs (or single addresses) and host names (`idp.corp.example`, `*.corp.example`). */
  allowedNetworks: string[];
}

/** The deployment's outbound settings as configured: the allowlist still in its written form. */
export interface OutboundPolicySettings {
  allowLoopback: boolean;
  /** OUTBOUND_ALLOWED_NETWORKS as written (see parseAllowedNetworks). */
  allowedNetworks?: string;
}

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

/** Names that mean this machine whatever DNS says (RFC 6761 §6.3), with or without the root dot. */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.+$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Whether a URL's host is this machine by name or literal (`localhost` and `*.localhost`, RFC
 * 6761; 127/8; ::1): where plain http is allowed in development. One rule for checking an
 * operator's URL and for making the request; the address actually connected to is checked apart.
 */
export function isLoopbackHost(hostname: string): boolean {
  const name = hostname.replace(/^\[|\]$/g, '');
  return isLocalhostName(name) || /^(127\.\d+\.\d+\.\d+|::1)$/.test(name);
}

export class AddressPolicy {
  private readonly networks: Network[] = [];
  private readonly exactHosts = new Set<string>();
  private readonly hostSuffixes: string[] = [];

  constructor(private readonly settings: AddressPolicySettings) {
    for (const raw of settings.allowedNetworks) {
      const entry = raw.trim().toLowerCase();
      if (!entry) continue;
      if (/^[0-9a-f:.[\]]+(\/\d+)?$/.test(entry) && parseAddress(entry.split('/')[0]!)) {
        this.networks.push(network(entry.replace(/^\[|\](?=\/|$)/g, '')));
      } else if (/^\*\.[a-z0-9.-]+$/.test(entry)) {
        this.hostSuffixes.push(entry.slice(1).replace(/\.+$/, ''));
      } else if (/^[a-z0-9.-]+$/.test(entry)) {
        this.exactHosts.add(entry.replace(/\.+$/, ''));
      } else {
        throw new Error(`OUTBOUND_ALLOWED_NETWORKS: "${raw}" is neither a CIDR nor a host name`);
      }
    }
  }

  get allowsLoopback(): boolean {
    return this.settings.allowLoopback;
  }

  /** Whether the operator allowlisted this host name: then any address it resolves to but NEVER is accepted. */
  hostAllowed(hostname: string): boolean {
    const name = hostname.toLowerCase().replace(/\.+$/, '');
    return this.exactHosts.has(name) || this.hostSuffixes.some((suffix) => name.endsWith(suffix));
  }

  /** Whether a host name (before any lookup) may be contacted at all. */
  checkHostname(hostname: string): AddressVerdict {
    if (parseAddress(hostname)) return this.checkAddress(hostname);
    if (isLocalhostName(hostname) && !this.settings.allowLoopback && !this.hostAllowed(hostname)) {
      return { allowed: false, reason: 'names this machine' };
    }
    return { allowed: true };
  }

  /** Whether the service may connect to this IP address, reached through `hostname` (when a name was resolved). */
  checkAddress(address: string, hostname?: string): AddressVerdict {
    const bytes = parseAddress(address);
    if (!bytes) return { allowed: false, reason: 'is not an IP address' };
    const candidates = [bytes, embeddedIPv4(bytes)].filter((b): b is Bytes => b !== undefined);
    const known = networks();
    if (candidates.some((b) => known.never.some((n) => contains(n, b)))) return { allowed: false, reason: 'is a metadata, unspecified or multicast address' };
    const allowlisted = (hostname !== undefined && this.hostAllowed(hostname)) || candidates.some((b) => this.networks.some((n) => contains(n, b)));
    if (allowlisted) return { allowed: true };
    if (candidates.some((b) => known.loopback.some((n) => contains(n, b)))) {
      return this.settings.allowLoopback ? { allowed: true } : { allowed: false, reason: 'is a loopback address' };
    }
    if (candidates.some((b) => known.internal.some((n) => contains(n, b)))) return { allowed: false, reason: 'is a private or link-local address' };
    return { allowed: true };
  }
}

/** Splits the setting: a JSON array, or names and CIDRs separated by commas or white space. */
export function parseAllowedNetworks(raw: string | undefined): string[] {
  const text = raw?.trim() ?? '';
  if (!text) return [];
  if (text.startsWith('[')) {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed) || !parsed.every((e) => typeof e === 'string')) throw new Error('OUTBOUND_ALLOWED_NETWORKS must be a JSON array of strings');
    return parsed as string[];
  }
  return text.split(/[\s,]+/).filter(Boolean);
}
