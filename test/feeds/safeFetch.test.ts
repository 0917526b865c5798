// The safe fetch against a feed server of the tests' own: conditional GET, compression, redirects, caps, timeouts, SSRF.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_ALLOW_LIST, isPublicAddress, parseAllowList } from '../../src/feeds/addressPolicy.js';
import { createSafeFetch, FetchError, type SafeFetch } from '../../src/feeds/safeFetch.js';
import { startFeedServer, type FeedServer } from '../support/feedServer.js';

let server: FeedServer;
let fetch: SafeFetch;

beforeAll(async () => {
  server = await startFeedServer();
  fetch = createSafeFetch({ allowPrivate: parseAllowList('127.0.0.1/32'), maxBytes: 64 * 1024, timeoutMs: 1500 });
});
afterAll(async () => {
  await fetch.close();
  await server.close();
});

async function failure(p: Promise<unknown>): Promise<FetchError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(FetchError);
    return error as FetchError;
  }
  throw new Error('expected the fetch to fail');
}

describe('conditional GET', () => {
  it('sends the stored ETag and treats 304 as nothing new', async () => {
    server.set('/etag', { body: 'hello', etag: '"v1"', contentType: 'text/plain' });
    const first = await fetch(server.url('/etag'));
    expect(first.status).toBe('ok');
    if (first.status !== 'ok') return;
    expect(first.validators.etag).toBe('"v1"');
    const second = await fetch(server.url('/etag'), first.validators);
    expect(second.status).toBe('not-modified');
    expect(server.requests.at(-1)!.headers['if-none-match']).toBe('"v1"');
  });

  it('sends the stored Last-Modified', async () => {
    const lm = 'Tue, 24 Nov 2026 10:00:00 GMT';
    server.set('/lm', { body: 'x', lastModified: lm });
    const again = await fetch(server.url('/lm'), { lastModified: lm });
    expect(again.status).toBe('not-modified');
    expect(server.requests.at(-1)!.headers['if-modified-since']).toBe(lm);
  });

  it('names the bot in its User-Agent and asks for compression', async () => {
    server.set('/ua', { body: 'x' });
    await fetch(server.url('/ua'));
    expect(server.requests.at(-1)!.headers['user-agent']).toMatch(/^feed-digest-bot\//);
    expect(server.requests.at(-1)!.headers['accept-encoding']).toMatch(/gzip/);
  });
});

describe('bodies', () => {
  it('decompresses gzip', async () => {
    server.set('/gz', { body: '压缩的内容', gzip: true });
    const res = await fetch(server.url('/gz'));
    expect(res.status === 'ok' && res.body.toString('utf8')).toBe('压缩的内容');
  });

  it('refuses a declared body over the cap without reading it', async () => {
    server.set('/big', { body: Buffer.alloc(100 * 1024, 97) });
    expect((await failure(fetch(server.url('/big')))).kind).toBe('too-large');
  });

  it('stops an endless chunked body at the cap', async () => {
    let sent = 0;
    server.set('/endless', {
      handle: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        const chunk = Buffer.alloc(16 * 1024, 120);
        const pump = () => {
          while (sent < 1024 ** 3 && res.write(chunk)) sent += chunk.length;
          if (sent < 1024 ** 3 && !res.destroyed) res.once('drain', pump);
        };
        res.on('close', () => (sent = 1024 ** 3));
        pump();
      },
    });
    const error = await failure(fetch(server.url('/endless')));
    expect(error.kind).toBe('too-large');
    expect(error.message).toMatch(/65536/);
  });

  it('stops a gzip bomb at the decompressed cap', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0));
    expect(bomb.length).toBeLessThan(64 * 1024);
    server.set('/bomb', { body: bomb, headers: { 'content-encoding': 'gzip' } });
    const error = await failure(fetch(server.url('/bomb')));
    expect(error.kind).toBe('too-large');
    expect(error.message).toMatch(/decompressed/);
  });

  it('gives the status and Retry-After of an HTTP error', async () => {
    server.set('/busy', { status: 503, body: 'busy', headers: { 'retry-after': '120' } });
    const error = await failure(fetch(server.url('/busy')));
    expect(error.kind).toBe('http');
    expect(error.status).toBe(503);
    expect(error.retryAfterMs).toBe(120_000);
  });
});

describe('timeouts', () => {
  it('gives up on a server that never answers', async () => {
    server.set('/silent', { handle: () => {} });
    const started = Date.now();
    const error = await failure(fetch(server.url('/silent')));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('gives up on a body that drips forever', async () => {
    server.set('/drip', {
      handle: (_req, res) => {
        res.writeHead(200);
        const timer = setInterval(() => res.write('x'), 100);
        res.on('close', () => clearInterval(timer));
      },
    });
    expect((await failure(fetch(server.url('/drip')))).kind).toBe('timeout');
  });
});

describe('redirects', () => {
  it('follows up to five hops and reports the final URL', async () => {
    for (let i = 0; i < 5; i++) server.set(`/hop${i}`, { status: 302, headers: { location: `/hop${i + 1}` } });
    server.set('/hop5', { body: 'arrived' });
    const res = await fetch(server.url('/hop0'));
    expect(res.status === 'ok' && res.url).toBe(server.url('/hop5'));
  });

  it('refuses a sixth hop', async () => {
    for (let i = 0; i < 6; i++) server.set(`/long${i}`, { status: 301, headers: { location: `/long${i + 1}` } });
    server.set('/long6', { body: 'too far' });
    expect((await failure(fetch(server.url('/long0')))).kind).toBe('redirects');
  });

  it('detects a redirect loop', async () => {
    server.set('/loopA', { status: 302, headers: { location: '/loopB' } });
    server.set('/loopB', { status: 302, headers: { location: '/loopA' } });
    const error = await failure(fetch(server.url('/loopA')));
    expect(error.kind).toBe('redirects');
    expect(error.message).toMatch(/loop/);
  });
});

describe('addresses (SSRF)', () => {
  it.each([
    ['10.1.2.3', false], ['172.16.0.1', false], ['192.168.1.1', false], ['127.0.0.1', false], ['169.254.169.254', false],
    ['100.64.0.1', false], ['0.0.0.0', false], ['224.0.0.1', false], ['255.255.255.255', false], ['::1', false], ['fe80::1', false],
    ['fc00::1', false], ['::ffff:10.0.0.1', false], ['::ffff:127.0.0.1', false], ['::', false], ['2002:7f00:1::', false],
    ['8.8.8.8', true], ['1.1.1.1', true], ['2606:4700:4700::1111', true], ['::ffff:8.8.8.8', true],
  ])('%s is public: %s', (ip, expected) => {
    expect(isPublicAddress(ip)).toBe(expected);
  });

  const strict = () => createSafeFetch({ allowPrivate: EMPTY_ALLOW_LIST, maxBytes: 1024, timeoutMs: 1000, resolve: async (h) => (h === 'evil.test' ? ['127.0.0.1'] : ['93.184.216.34']) });

  it.each([
    ['loopback', (p: number) => `http://127.0.0.1:${p}/x`],
    ['decimal', (p: number) => `http://2130706433:${p}/x`],
    ['hex', (p: number) => `http://0x7f000001:${p}/x`],
    ['octal', (p: number) => `http://0177.0.0.1:${p}/x`],
    ['short', (p: number) => `http://127.1:${p}/x`],
    ['IPv6 loopback', (p: number) => `http://[::1]:${p}/x`],
    ['IPv4-mapped IPv6', (p: number) => `http://[::ffff:127.0.0.1]:${p}/x`],
    ['a name resolving to loopback', (p: number) => `http://evil.test:${p}/x`],
  ])('refuses %s before any byte is sent', async (_name, make) => {
    const f = strict();
    const before = server.requests.length;
    const error = await failure(f(make(server.port)));
    expect(error.kind).toBe('refused');
    expect(error.message).toMatch(/FETCH_ALLOW_PRIVATE/);
    expect(server.requests.length).toBe(before);
    await f.close();
  });

  it('refuses a redirect hop to a private address', async () => {
    const f = createSafeFetch({ allowPrivate: parseAllowList(`127.0.0.1:${server.port}`), maxBytes: 1024, timeoutMs: 1000 });
    server.set('/to-private', { status: 302, headers: { location: `http://127.0.0.2:${server.port}/secret` } });
    server.set('/secret', { body: 'secret' });
    const error = await failure(f(server.url('/to-private')));
    expect(error.kind).toBe('refused');
    expect(error.url).toContain('127.0.0.2');
    await f.close();
  });

  it('allows exactly what FETCH_ALLOW_PRIVATE names', async () => {
    server.set('/ok', { body: 'fine' });
    const byPort = createSafeFetch({ allowPrivate: parseAllowList(`127.0.0.1:${server.port}`), maxBytes: 1024, timeoutMs: 1000 });
    expect((await byPort(server.url('/ok'))).status).toBe('ok');
    const otherPort = createSafeFetch({ allowPrivate: parseAllowList(`127.0.0.1:${server.port + 1}`), maxBytes: 1024, timeoutMs: 1000 });
    expect((await failure(otherPort(server.url('/ok')))).kind).toBe('refused');
    const byCidr = createSafeFetch({ allowPrivate: parseAllowList('127.0.0.0/8'), maxBytes: 1024, timeoutMs: 1000 });
    expect((await byCidr(server.url('/ok'))).status).toBe('ok');
    // A bare host opens its web ports only (80, 443), not this test server's port (nor a database's).
    const bareHost = createSafeFetch({ allowPrivate: parseAllowList('127.0.0.1'), maxBytes: 1024, timeoutMs: 1000 });
    expect((await failure(bareHost(server.url('/ok')))).kind).toBe('refused');
    await Promise.all([byPort.close(), otherPort.close(), byCidr.close(), bareHost.close()]);
  });

  it.each(['file:///etc/passwd', 'ftp://example.org/feed', 'gopher://x', 'not a url', 'http://user:pw@example.org/'])('refuses %s as a URL', async (url) => {
    expect((await failure(fetch(url))).kind).toBe('bad-url');
  });
});
