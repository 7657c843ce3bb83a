/**
 * Where webhooks may not go. A rule's URL is chosen by a user of the API, and the collector runs
 * inside someone's network, so a webhook must not become a way to read the cloud metadata service
 * (credentials) or poke link-local devices. The check runs on the URL when a rule is saved (literal
 * addresses) and again on every address DNS returns at connection time (`guardedLookup`), so a name
 * that later resolves to a blocked address (DNS rebinding) is refused too.
 */

import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Always refused: link-local, cloud metadata, unspecified, multicast and reserved ranges. */
export const ALWAYS_BLOCKED = [
  '0.0.0.0/8 (unspecified, "this host")',
  '169.254.0.0/16 (link-local; AWS, GCP, Azure, OCI metadata at 169.254.169.254)',
  '100.100.100.200/32 (Alibaba Cloud metadata)',
  '224.0.0.0/4, 240.0.0.0/4 (multicast, reserved, broadcast)',
  '::/128 (unspecified)',
  'fe80::/10 (IPv6 link-local)',
  'fd00::/8 (IPv6 unique-local, AWS metadata at fd00:ec2::254)',
  'ff00::/8 (IPv6 multicast)',
  'IPv4-mapped IPv6 forms of the IPv4 ranges',
] as const;

/** Also refused when private targets are blocked: loopback and private networks. */
export const PRIVATE_BLOCKED = [
  '127.0.0.0/8, ::1 (loopback)',
  '10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (private)',
  '100.64.0.0/10 (carrier-grade NAT)',
  'fc00::/7 (IPv6 unique-local)',
] as const;

function blockList(blockPrivate: boolean): BlockList {
  const list = new BlockList();
  list.addSubnet('0.0.0.0', 8, 'ipv4');
  list.addSubnet('169.254.0.0', 16, 'ipv4');
  list.addAddress('100.100.100.200', 'ipv4');
  list.addSubnet('224.0.0.0', 3, 'ipv4');
  list.addAddress('::', 'ipv6');
  list.addSubnet('fe80::', 10, 'ipv6');
  list.addSubnet('fd00::', 8, 'ipv6');
  list.addSubnet('ff00::', 8, 'ipv6');
  if (blockPrivate) {
    list.addSubnet('127.0.0.0', 8, 'ipv4');
    list.addSubnet('10.0.0.0', 8, 'ipv4');
    list.addSubnet('172.16.0.0', 12, 'ipv4');
    list.addSubnet('192.168.0.0', 16, 'ipv4');
    list.addSubnet('100.64.0.0', 10, 'ipv4');
    list.addAddress('::1', 'ipv6');
    list.addSubnet('fc00::', 7, 'ipv6');
  }
  return list;
}

const LISTS = { open: blockList(false), strict: blockList(true) };

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const groups = expandIpv6(address);
  if (!groups) return undefined;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0);
  if (!mapped && !nat64) return undefined;
  const [hi, lo] = [groups[6] as number, groups[7] as number];
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}

function expandIpv6(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = (dotted[2] as string).split('.').map(Number);
    text = `${dotted[1]}${(((parts[0] ?? 0) << 8) | (parts[1] ?? 0)).toString(16)}:${(((parts[2] ?? 0) << 8) | (parts[3] ?? 0)).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...new Array<string>(Math.max(0, fill)).fill('0'), ...tail].map((g) =>
    Number.parseInt(g, 16),
  );
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** Why an IP address may not receive webhooks, or undefined when it may. */
export function blockedAddressReason(address: string, blockPrivate = false): string | undefined {
  const list = blockPrivate ? LISTS.strict : LISTS.open;
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  const v4 = family === 4 ? address : embeddedIpv4(address);
  const blocked = v4 !== undefined ? list.check(v4, 'ipv4') : list.check(address, 'ipv6');
  if (!blocked) return undefined;
  return `${address} is in a blocked range (link-local, metadata, multicast${blockPrivate ? ', loopback or private' : ''})`;
}

/** A problem with a webhook URL whose host is an IP literal (names are checked at connection time). */
export function literalAddressProblem(url: string, blockPrivate = false): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return 'not a valid URL';
  }
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  if (isIP(bare) === 0) return undefined;
  return blockedAddressReason(bare, blockPrivate);
}

/**
 * A `lookup` for node:http(s) that resolves as usual and then refuses blocked addresses, so the check
 * applies to the address actually connected to.
 */
export function guardedLookup(blockPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as Array<{ address: string; family: number }>;
      for (const a of list) {
        const reason = blockedAddressReason(a.address, blockPrivate);
        if (reason) return callback(new Error(`refused webhook target ${hostname}: ${reason}`), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`no address for ${hostname}`), '', 0);
      callback(null, first.address, first.family);
    });
  };
}
