import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateClientSecret, isWellFormedClientSecret } from '../src/index.ts';
import { base62OfNumber, crc32 } from '../src/infra/encoding.ts';

describe('client secrets', () => {
  it('are lk_secret_ + 43 base62 characters + a 6-character CRC-32 checksum', () => {
    const secret = generateClientSecret();
    assert.match(secret, /^lk_secret_[0-9A-Za-z]{43}[0-9A-Za-z]{6}$/);
    const body = secret.slice(10, 53);
    assert.equal(secret.slice(53), base62OfNumber(crc32(body), 6));
    assert.ok(isWellFormedClientSecret(secret));
  });

  it('uses the standard CRC-32 and base62 alphabet 0-9A-Za-z', () => {
    assert.equal(crc32('123456789'), 0xcbf43926);
    assert.equal(base62OfNumber(61, 3), '00z');
    assert.equal(base62OfNumber(62, 3), '010');
  });

  it('a single mistyped character fails the checksum', () => {
    const secret = generateClientSecret();
    let caught = 0;
    for (let i = 10; i < secret.length; i++) {
      const typo = secret.slice(0, i) + (secret[i] === 'x' ? 'y' : 'x') + secret.slice(i + 1);
      if (!isWellFormedClientSecret(typo)) caught++;
    }
    assert.equal(caught, secret.length - 10);
    assert.ok(!isWellFormedClientSecret(`${secret}x`));
    assert.ok(!isWellFormedClientSecret(secret.replace('lk_secret_', 'lk_secrex_')));
  });

  it('carry 256 bits: a thousand are all different', () => {
    assert.equal(new Set(Array.from({ length: 1000 }, generateClientSecret)).size, 1000);
  });
});
