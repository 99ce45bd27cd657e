import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE62_RE = /^[0-9A-Za-z]+$/;

/** Base62 (alphabet `0-9A-Za-z`) of a big-endian unsigned integer, left-padded with `0`. */
export function base62(bytes: Uint8Array, length: number): string {
  let value = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (value > 0n) {
    out = BASE62[Number(value % 62n)]! + out;
    value /= 62n;
  }
  if (out.length > length) throw new RangeError('value does not fit');
  return out.padStart(length, '0');
}

export function base62OfNumber(value: number, length: number): string {
  let out = '';
  let rest = value;
  while (rest > 0) {
    out = BASE62[rest % 62]! + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(length, '0');
}

export const isBase62 = (value: string): boolean => BASE62_RE.test(value);

/** `length` base62 characters drawn uniformly (rejection sampling, so no character is favoured). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zlib): Node 20 has no `zlib.crc32`. */
export function crc32(input: string | Uint8Array): number {
  let crc = 0xffffffff;
  if (typeof input === 'string' && /^[\x00-\x7f]*$/.test(input)) {
    // ASCII (every secret body): its UTF-8 bytes are its char codes, no buffer needed.
    for (let i = 0; i < input.length; i++) crc = CRC_TABLE[(crc ^ input.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  } else {
    for (const byte of typeof input === 'string' ? Buffer.from(input, 'utf8') : input) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
