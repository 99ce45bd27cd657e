import { isIP } from 'node:net';

/**
 * The one throttle key of everything that is not an IP address: an `X-Forwarded-For` value of
 * 4 KiB of junk and an empty socket address land here together, so junk cannot grow memory and
 * cannot spread over many keys. No real address normalises to it (it has no `.` and no `:`).
 */
export const INVALID_ADDRESS = 'invalid';

/**
 * Longer than any address text (45 characters for the longest IPv4-mapped form, plus brackets,
 * a port or a short zone id): anything longer is refused before it is parsed.
 */
const MAX_ADDRESS_LENGTH = 64;

/** Longest string `normalizeAddress` returns: `ffff:ffff:ffff:ffff::/64`. */
export const MAX_NORMALIZED_ADDRESS_LENGTH = 24;

/**
 * The address a client is throttled by, in one canonical text: an IPv4 address
 * (`203.0.113.7`), an IPv6 /64 prefix in RFC 5952 form (`2001:db8:1:2::/64`: one subscriber's
 * network, since a host gets a whole /64 and could otherwise walk around the limit), or
 * {@link INVALID_ADDRESS} for anything that is not an IP address. An IPv4-mapped IPv6 address
 * (`::ffff:203.0.113.7`, RFC 4291 §2.5.5.2, what a dual-stack socket reports) is the IPv4 address,
 * and a zone id (`fe80::1%eth0`) is dropped, and so is a port (`203.0.113.7:51234`,
 * `[2001:db8::1]:443`).
 *
 * Validation is Node's own (`net.isIP`, strict: no leading zeros, no shortcuts such as `127.1`);
 * what follows only rewrites text already known to be an address. No regular expressions: the
 * input may be a hostile header.
 *
 * @example
 * normalizeAddress('::ffff:192.0.2.1'); // '192.0.2.1'
 * normalizeAddress('2001:DB8:1:2:aaaa::1'); // '2001:db8:1:2::/64'
 * normalizeAddress('[2001:db8:1:2::1]:443'); // '2001:db8:1:2::/64'
 * normalizeAddress('x'.repeat(4096)); // 'invalid'
 */
export function normalizeAddress(raw: string): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_ADDRESS_LENGTH) return INVALID_ADDRESS;
  const address = withoutPort(raw);
  const version = isIP(address);
  if (version === 4) return address;
  if (version !== 6) return INVALID_ADDRESS;
  const zone = address.indexOf('%');
  const groups = parseIPv6(zone === -1 ? address : address.slice(0, zone));
  if (groups === null) return INVALID_ADDRESS;
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  }
  return `${formatIPv6([groups[0]!, groups[1]!, groups[2]!, groups[3]!, 0, 0, 0, 0])}/64`;
}

/**
 * The unit an address is throttled by (what `ClientAuthentication` keys its limiters with): the
 * same function as {@link normalizeAddress}, under the name its callers use.
 */
export const throttleSource: (address: string) => string = normalizeAddress;

/**
 * The address of `203.0.113.7:51234`, `[2001:db8::1]:443` or `[2001:db8::1]`: forms some proxies
 * write in X-Forwarded-For (Azure Application Gateway, for one, adds the client's port) and RFC 7239 `Forwarded`
 * uses. Without this, every client behind such a proxy would share one throttle bucket, and one
 * failing client would lock out the others. Anything else is returned as it is.
 */
function withoutPort(text: string): string {
  if (text.charCodeAt(0) === 0x5b /* [ */) {
    const close = text.indexOf(']');
    if (close === -1) return text;
    const inside = text.slice(1, close);
    const rest = text.slice(close + 1);
    const portOk = rest === '' || (rest.charCodeAt(0) === 0x3a /* : */ && isPort(rest.slice(1)));
    // Brackets hold an IPv6 address only (RFC 3986 §3.2.2).
    return portOk && isIP(inside) === 6 ? inside : text;
  }
  const colon = text.indexOf(':');
  // One colon after a dotted quad: an IPv4 address and a port. Several colons: IPv6, left alone.
  if (colon === -1 || text.indexOf(':', colon + 1) !== -1 || !isPort(text.slice(colon + 1))) return text;
  const host = text.slice(0, colon);
  return isIP(host) === 4 ? host : text;
}

/** 1 to 5 decimal digits. */
function isPort(digits: string): boolean {
  if (digits.length === 0 || digits.length > 5) return false;
  for (let i = 0; i < digits.length; i++) {
    const code = digits.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/**
 * The eight 16-bit groups of an IPv6 address (RFC 4291 §2.2), or null. Called only on text
 * `isIP` accepted; it still checks what it relies on, so it never returns a wrong address.
 */
function parseIPv6(text: string): number[] | null {
  const gap = text.indexOf('::');
  if (gap !== -1 && text.indexOf('::', gap + 1) !== -1) return null;
  const head = gap === -1 ? text : text.slice(0, gap);
  const tail = gap === -1 ? '' : text.slice(gap + 2);
  const left = parseGroups(head, gap === -1);
  const right = gap === -1 ? [] : parseGroups(tail, true);
  if (left === null || right === null) return null;
  const missing = 8 - left.length - right.length;
  if (gap === -1 ? missing !== 0 : missing < 1) return null;
  const groups = left;
  for (let i = 0; i < (gap === -1 ? 0 : missing); i++) groups.push(0);
  for (const group of right) groups.push(group);
  return groups;
}

/** `a:b:c` → groups; the last part may be a dotted IPv4 address (two groups) when `last`. */
function parseGroups(text: string, last: boolean): number[] | null {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (last && i === parts.length - 1 && part.includes('.')) {
      if (isIP(part) !== 4) return null;
      const [a, b, c, d] = part.split('.').map(Number) as [number, number, number, number];
      groups.push((a << 8) | b, (c << 8) | d);
      continue;
    }
    if (part.length === 0 || part.length > 4) return null;
    let value = 0;
    for (let j = 0; j < part.length; j++) {
      const digit = hexDigit(part.charCodeAt(j));
      if (digit < 0) return null;
      value = value * 16 + digit;
    }
    groups.push(value);
  }
  return groups;
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/**
 * RFC 5952 §4: lower case, no leading zeros, the longest run of two or more zero groups (the
 * first of equal runs) written `::`. One address, one text: the throttle key.
 */
function formatIPv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < groups.length && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = (from: number, to: number) => groups.slice(from, to).map((group) => group.toString(16)).join(':');
  if (bestStart === -1) return hex(0, groups.length);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, groups.length)}`;
}
