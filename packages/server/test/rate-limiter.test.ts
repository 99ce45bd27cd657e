import assert from 'node:assert/strict';
import { BlockList, isIP } from 'node:net';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { INVALID_ADDRESS, MAX_NORMALIZED_ADDRESS_LENGTH, normalizeAddress, throttleSource } from '../src/infra/client-address.ts';
import { ManualClock } from '../src/infra/clock.ts';
import { DEFAULT_MAX_KEYS, FailureLimiter, MAX_KEY_LENGTH, type RateLimitRule } from '../src/infra/rate-limiter.ts';
import { mulberry32 } from './helpers/random.ts';

const RULE: RateLimitRule = { limit: 100, windowMs: 60_000 };
const CLIENT_ID = 'A'.repeat(32);

const prng = mulberry32;

/** The i-th distinct IPv4 address of 10.0.0.0/8. */
const ipv4 = (i: number) => `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`;

/** A limiter holding `count` live windows, each under the limit. */
function filled(clock: ManualClock, count: number, rule: RateLimitRule = RULE): FailureLimiter {
  const limiter = new FailureLimiter(clock, rule);
  for (let i = 0; i < count; i++) limiter.fail(ipv4(i));
  return limiter;
}

const failTimes = (limiter: FailureLimiter, key: string, times: number) => {
  for (let i = 0; i < times; i++) limiter.fail(key);
};

describe('client addresses as throttle keys', () => {
  it('keep an IPv4 address as it is', () => {
    assert.equal(normalizeAddress('203.0.113.7'), '203.0.113.7');
    assert.equal(normalizeAddress('0.0.0.0'), '0.0.0.0');
  });

  it('read an IPv4-mapped IPv6 address as the IPv4 address (what a dual-stack socket reports)', () => {
    assert.equal(normalizeAddress('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(normalizeAddress('::FFFF:cb00:7107'), '203.0.113.7');
    assert.equal(normalizeAddress('0:0:0:0:0:ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(normalizeAddress('::ffff:127.0.0.1'), normalizeAddress('127.0.0.1'));
  });

  it('drop the port some proxies write in X-Forwarded-For, so clients behind them keep their own keys', () => {
    assert.equal(normalizeAddress('203.0.113.7:51234'), '203.0.113.7');
    assert.equal(normalizeAddress('[2001:db8:1:2::1]:443'), '2001:db8:1:2::/64');
    assert.equal(normalizeAddress('[2001:db8:1:2::1]'), '2001:db8:1:2::/64');
    assert.equal(normalizeAddress('[::ffff:203.0.113.7]:80'), '203.0.113.7');
    assert.notEqual(normalizeAddress('203.0.113.7:1'), normalizeAddress('203.0.113.8:1'));
  });

  it('give every address of one IPv6 /64 the same key, in RFC 5952 form', () => {
    const key = normalizeAddress('2001:db8:1:2::1');
    assert.equal(key, '2001:db8:1:2::/64');
    for (const address of ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:DB8:0001:0002:a:b:c:d', '2001:0db8:1:2:0:0:0:0', '2001:db8:1:2::1%eth0']) {
      assert.equal(normalizeAddress(address), key, address);
    }
    assert.notEqual(normalizeAddress('2001:db8:1:3::1'), key);
    assert.equal(normalizeAddress('2001:db8::1'), '2001:db8::/64');
    assert.equal(normalizeAddress('2001:0:0:1::1'), '2001:0:0:1::/64');
    assert.equal(normalizeAddress('::1'), '::/64');
    assert.equal(normalizeAddress('fe80::1%eth0'), 'fe80::/64');
    assert.equal(normalizeAddress('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff').length, MAX_NORMALIZED_ADDRESS_LENGTH);
  });

  it('put everything that is not an address, 4 KiB X-Forwarded-For junk included, in one bucket', () => {
    const junk = [
      '',
      'x'.repeat(4096),
      `1.2.3.4${' '.repeat(4096)}`,
      '1.2.3.4, 5.6.7.8',
      'unknown',
      '_hidden',
      '1.2.3.4:',
      '1.2.3.4:http',
      '1.2.3.4:123456',
      '1.2.3.4:80:80',
      '[1.2.3.4]',
      '[::1',
      '[::1]:',
      '[::1]443',
      '[::1]:44x',
      '01.2.3.4',
      '256.1.1.1',
      '127.1',
      ' 1.2.3.4',
      '1.2.3.4\u0000',
      '１.２.３.４',
      '1::2::3',
      ':::',
      '::ffff:01.2.3.4',
      `fe80::1%${'a'.repeat(64)}`,
      '%ff%fe',
      '\ud800',
    ];
    for (const value of junk) assert.equal(normalizeAddress(value), INVALID_ADDRESS, JSON.stringify(value.slice(0, 40)));
    assert.equal(normalizeAddress(undefined as unknown as string), INVALID_ADDRESS);
  });

  it('agree with node:net on what is an address, and with the URL standard on IPv6 text (seed 20260101)', () => {
    const random = prng(20260101);
    const alphabet = '0123456789abcdefABCDEF:.%';
    const pick = (text: string) => text[Math.floor(random() * text.length)]!;
    for (let i = 0; i < 20_000; i++) {
      let candidate: string;
      if (random() < 0.5) {
        // Mostly valid IPv6 addresses, written in varied ways.
        const groups = Array.from({ length: 8 }, () => (random() < 0.4 ? 0 : Math.floor(random() * 0x10000)));
        const text = groups.map((g) => g.toString(16).padStart(random() < 0.3 ? 4 : 0, '0')).join(':');
        candidate = random() < 0.5 ? (new URL(`http://[${text}]/`).hostname.slice(1, -1)) : text;
        if (random() < 0.2) candidate = candidate.toUpperCase();
      } else {
        candidate = Array.from({ length: 1 + Math.floor(random() * 20) }, () => pick(alphabet)).join('');
      }
      const key = normalizeAddress(candidate);
      // Valid exactly when node:net says so, or for an IPv4 address with a port.
      const [host = '', port] = candidate.split(':');
      const withPort = candidate.split(':').length === 2 && isIP(host) === 4 && /^\d{1,5}$/.test(port ?? '');
      assert.equal(key !== INVALID_ADDRESS, isIP(candidate) !== 0 || withPort, candidate);
      if (withPort) assert.equal(key, host);
      if (key === INVALID_ADDRESS || !key.endsWith('/64')) continue;
      const prefix = key.slice(0, -3);
      assert.equal(new URL(`http://[${prefix}]/`).hostname, `[${prefix}]`, `${candidate} → ${key} is not RFC 5952 text`);
      const network = new BlockList();
      network.addSubnet(prefix, 64, 'ipv6');
      assert.ok(network.check(candidate.split('%')[0]!, 'ipv6'), `${candidate} is not in ${key}`);
    }
  });

  it('are what throttleSource returns', () => {
    assert.equal(throttleSource, normalizeAddress);
  });
});

describe('FailureLimiter', () => {
  it('refuses a key after `limit` failures, with Retry-After rounded up to whole seconds', () => {
    const clock = new ManualClock();
    const limiter = new FailureLimiter(clock, { limit: 3, windowMs: 60_000 });
    assert.ok(limiter.isEmpty());
    failTimes(limiter, '192.0.2.1', 2);
    assert.equal(limiter.retryAfter('192.0.2.1'), 0);
    assert.ok(!limiter.isThrottling());
    limiter.fail('192.0.2.1');
    assert.equal(limiter.retryAfter('192.0.2.1'), 60);
    assert.ok(limiter.isThrottling());
    assert.equal(limiter.retryAfter('192.0.2.2'), 0);
    clock.advance(59_001);
    assert.equal(limiter.retryAfter('192.0.2.1'), 1);
  });

  it('forgets a window once it ends, on a frozen clock', () => {
    const clock = new ManualClock();
    const limiter = new FailureLimiter(clock, { limit: 3, windowMs: 60_000 });
    failTimes(limiter, '192.0.2.1', 3);
    limiter.fail('192.0.2.2');
    clock.advance(60_000);
    assert.equal(limiter.retryAfter('192.0.2.1'), 0);
    assert.ok(limiter.isEmpty(), 'expired windows are pruned');
    assert.equal(limiter.size, 0);
    // A new window counts from one again.
    failTimes(limiter, '192.0.2.1', 2);
    assert.equal(limiter.retryAfter('192.0.2.1'), 0);
    limiter.fail('192.0.2.1');
    assert.ok(limiter.retryAfter('192.0.2.1') > 0);
  });

  it('counts a window from its first failure: fixed, not sliding', () => {
    const clock = new ManualClock();
    const limiter = new FailureLimiter(clock, { limit: 3, windowMs: 60_000 });
    limiter.fail('k');
    clock.advance(59_000);
    limiter.fail('k');
    clock.advance(1_000);
    limiter.fail('k');
    assert.equal(limiter.retryAfter('k'), 0, 'the first window ended before the third failure');
  });

  it('prunes expired windows a few at a time, so isEmpty turns true without a sweep', () => {
    const clock = new ManualClock();
    const limiter = filled(clock, 1_000);
    clock.advance(RULE.windowMs);
    let calls = 0;
    while (!limiter.isEmpty()) calls++;
    assert.ok(calls > 1 && calls <= 1_000, `${calls} calls`);
    assert.equal(limiter.size, 0);
  });

  describe(`full of ${DEFAULT_MAX_KEYS.toLocaleString('en')} live windows`, () => {
    it('still throttles a new source, with O(1) work per failure and never more keys than its bound', () => {
      const clock = new ManualClock();
      const limiter = filled(clock, DEFAULT_MAX_KEYS);
      assert.equal(limiter.size, DEFAULT_MAX_KEYS);
      clock.advance(1_000);

      // As many new sources again: every failure evicts.
      const newSources = Array.from({ length: DEFAULT_MAX_KEYS }, (_, i) => `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64`);
      const examinedBefore = limiter.examined;
      const started = performance.now();
      for (const source of newSources) {
        limiter.fail(source);
        if (limiter.size > DEFAULT_MAX_KEYS) assert.fail(`size ${limiter.size} after new source ${source}`);
      }
      const elapsed = performance.now() - started;
      const perFailure = (limiter.examined - examinedBefore) / newSources.length;
      // Pruning looks at the front window of each queue, eviction at one window.
      assert.ok(perFailure <= 3, `${perFailure} windows examined per failure`);
      // Work hidden from the counter shows in time: evicting through a Map's own order (V8 skips
      // the holes deleted entries leave) took over 4 s here, a scan per failure minutes; this takes
      // about 0.1 s. The bound is loose on purpose: a slow machine must not fail it.
      assert.ok(elapsed < 2_000, `${elapsed.toFixed(0)} ms for ${newSources.length} evicting failures`);

      const newcomer = '198.51.100.7';
      failTimes(limiter, newcomer, RULE.limit - 1);
      assert.equal(limiter.retryAfter(newcomer), 0);
      limiter.fail(newcomer);
      assert.equal(limiter.retryAfter(newcomer), 60, 'a new source is throttled after `limit` failures');
      assert.equal(limiter.size, DEFAULT_MAX_KEYS);
    });

    it('keeps a throttled source throttled through a flood of new sources', () => {
      const clock = new ManualClock();
      const limiter = new FailureLimiter(clock, RULE);
      failTimes(limiter, '192.0.2.66', RULE.limit);
      for (let i = 0; i < DEFAULT_MAX_KEYS * 2; i++) limiter.fail(ipv4(i));
      assert.equal(limiter.size, DEFAULT_MAX_KEYS);
      assert.equal(limiter.retryAfter('192.0.2.66'), 60);
    });

    it('evicts the oldest window first, so the newest counts survive', () => {
      const clock = new ManualClock();
      const limiter = new FailureLimiter(clock, { limit: 3, windowMs: 60_000 }, { maxKeys: 3 });
      for (const key of ['a', 'b', 'c']) {
        failTimes(limiter, key, 2);
        clock.advance(1_000);
      }
      limiter.fail('d');
      // `a` was evicted: its count starts over. `b` and `c` kept theirs.
      limiter.fail('a');
      limiter.fail('c');
      assert.equal(limiter.retryAfter('c'), 59);
      assert.equal(limiter.retryAfter('a'), 0);
      assert.equal(limiter.size, 3);
    });

    it('when every window held is blocked, still counts and throttles a new source', () => {
      const clock = new ManualClock();
      const rule = { limit: 2, windowMs: 60_000 };
      const limiter = new FailureLimiter(clock, rule, { maxKeys: 1_000 });
      for (let i = 0; i < 1_000; i++) failTimes(limiter, ipv4(i), rule.limit);
      assert.equal(limiter.retryAfter(ipv4(999)), 60);
      clock.advance(1_000);
      failTimes(limiter, '198.51.100.7', rule.limit);
      assert.equal(limiter.retryAfter('198.51.100.7'), 60);
      assert.equal(limiter.size, 1_000);
      // The victim was the oldest blocked window, the first to expire anyway.
      assert.equal(limiter.retryAfter(ipv4(0)), 0);
      assert.equal(limiter.retryAfter(ipv4(1)), 59);
      assert.equal(limiter.retryAfter(ipv4(999)), 59);
    });
  });

  describe('memory', () => {
    it('puts 10,000 different 4 KiB junk sources in one bucket', () => {
      const clock = new ManualClock();
      const limiter = new FailureLimiter(clock, RULE);
      const random = prng(4096);
      for (let i = 0; i < 10_000; i++) {
        const junk = `${i}-${'x'.repeat(4096)}-${random()}`;
        limiter.fail(normalizeAddress(junk));
        limiter.fail(`${normalizeAddress(junk)}\n${CLIENT_ID}`);
      }
      assert.equal(limiter.size, 2);
      assert.ok(limiter.retryAfter(INVALID_ADDRESS) > 0, 'junk is throttled as one source');
      assert.equal(limiter.retryAfter('192.0.2.1'), 0, 'real addresses are not');
    });

    it('shares one bucket among over-long keys a caller failed to normalise', () => {
      const clock = new ManualClock();
      const limiter = new FailureLimiter(clock, RULE);
      for (let i = 0; i < 10_000; i++) limiter.fail(`${i}${'x'.repeat(4096)}`);
      assert.equal(limiter.size, 1);
      assert.ok(limiter.retryAfter(`${'y'.repeat(MAX_KEY_LENGTH + 1)}`) > 0);
    });

    const heap = () => {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      return () => {
        gc();
        return process.memoryUsage().heapUsed;
      };
    };

    it(`stays within a byte budget with ${DEFAULT_MAX_KEYS.toLocaleString('en')} keys of the longest kind`, () => {
      const heapUsed = heap();
      const before = heapUsed();
      const limiter = new FailureLimiter(new ManualClock(), RULE);
      // The longest key callers build: an IPv6 /64 prefix, a newline, a client id.
      for (let i = 0; i < DEFAULT_MAX_KEYS * 2; i++) limiter.fail(`ffff:ffff:ffff:${(i % 0x10000).toString(16).padStart(4, '0')}::/64\n${i.toString(36).padStart(32, 'z')}`);
      const grown = heapUsed() - before;
      assert.equal(limiter.size, DEFAULT_MAX_KEYS);
      // About 250 bytes a key (string, window, map entry): under 32 MiB, whatever is sent.
      assert.ok(grown < 32 * 1024 * 1024, `${(grown / 1024 / 1024).toFixed(1)} MiB`);
    });

    it('keeps no request body alive through a key cut from it', () => {
      const heapUsed = heap();
      const before = heapUsed();
      const limiter = new FailureLimiter(new ManualClock(), RULE);
      for (let i = 0; i < 20_000; i++) {
        const body = `${'x'.repeat(8_000)}${String(i).padStart(32, '0')}`;
        // V8 makes this a slice that points into the 8 KB body.
        const clientId = body.slice(8_000);
        limiter.fail(`192.0.2.1\n${clientId}`);
      }
      const grown = heapUsed() - before;
      assert.equal(limiter.size, 20_000);
      // 160 MB if every body stayed alive; about 5 MB for the keys themselves.
      assert.ok(grown < 16 * 1024 * 1024, `${(grown / 1024 / 1024).toFixed(1)} MiB`);
    });
  });
});
