// The one fetch for every outside URL: SSRF guard on every hop, conditional GET, redirects, size caps, timeouts.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Agent, buildConnector } from 'undici';
import { lazy } from '../lazy.js';
import { mayConnect, type AllowList } from './addressPolicy.js';

export const USER_AGENT = 'feed-digest-bot/0.1 (+https://github.com/feed-digest-bot; Telegram RSS digest bot)';

export type FetchErrorKind = 'bad-url' | 'refused' | 'timeout' | 'too-large' | 'http' | 'redirects' | 'network';

export class FetchError extends Error {
  constructor(
    readonly kind: FetchErrorKind,
    readonly url: string,
    message: string,
    readonly extra: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(`${url}: ${message}`, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'FetchError';
  }
  get status(): number | undefined {
    return this.extra.status;
  }
  get retryAfterMs(): number | undefined {
    return this.extra.retryAfterMs;
  }
}

/** No TLS or no answer (as opposed to an answer that says no): a site typed without a scheme may speak plain http only. */
export function isConnectionFailure(error: unknown): boolean {
  return error instanceof FetchError && (error.kind === 'network' || error.kind === 'timeout');
}

export interface Validators {
  etag?: string | undefined;
  lastModified?: string | undefined;
}

export interface FetchRequest extends Validators {
  accept?: string;
  maxBytes?: number;
  timeoutMs?: number;
}

export interface CacheHints {
  /** From Cache-Control max-age (or s-maxage), in ms. */
  maxAgeMs?: number;
  /** From Retry-After, in ms. */
  retryAfterMs?: number;
}

export type FetchResult =
  | { status: 'not-modified'; url: string; hints: CacheHints }
  | {
      status: 'ok';
      /** The final URL after redirects. */
      url: string;
      body: Buffer;
      contentType: string | undefined;
      validators: Validators;
      hints: CacheHints;
    };

export interface SafeFetchOptions {
  allowPrivate: AllowList;
  maxBytes: number;
  timeoutMs: number;
  connectTimeoutMs?: number;
  maxRedirects?: number;
  userAgent?: string;
  /** Injected DNS resolver (tests). */
  resolve?: (host: string) => Promise<string[]>;
}

export interface SafeFetch {
  (url: string, req?: FetchRequest): Promise<FetchResult>;
  close(): Promise<void>;
}

class Refused extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

class TooLarge extends Error {
  constructor(readonly which: 'compressed' | 'decompressed', readonly limit: number) {
    super(`body larger than ${limit} bytes (${which})`);
  }
}

const privateHint = 'is not a public address (FETCH_ALLOW_PRIVATE can allow it)';

async function defaultResolve(host: string): Promise<string[]> {
  const records = await dnsLookup(host, { all: true, verbatim: true });
  return records.map((r) => r.address);
}

export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function parseMaxAge(cacheControl: string | undefined): number | undefined {
  if (!cacheControl) return undefined;
  const m = /(?:^|,)\s*(?:s-maxage|max-age)\s*=\s*"?(\d+)/i.exec(cacheControl);
  return m ? Number(m[1]) * 1000 : undefined;
}

function portOf(protocol: string, port: string | number | undefined): number {
  return Number(port) || (protocol === 'https:' ? 443 : 80);
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function decompressorFor(encoding: string | undefined): Transform | undefined {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return undefined;
  }
}

/** Reads a body, counting bytes before and after decompression, and stops at the cap. */
async function readCapped(body: Readable, encoding: string | undefined, cap: number): Promise<Buffer> {
  let compressed = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      compressed += chunk.length;
      if (compressed > cap) cb(new TooLarge('compressed', cap));
      else cb(null, chunk);
    },
  });
  const chunks: Buffer[] = [];
  let size = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > cap) return cb(new TooLarge('decompressed', cap));
      chunks.push(chunk);
      cb();
    },
  });
  const decompressor = decompressorFor(encoding);
  if (decompressor) await pipeline(body, counter, decompressor, sink);
  else await pipeline(body, counter, sink);
  return Buffer.concat(chunks, size);
}

/**
 * The fetch's connection pool: undici's agent, its connector checking the address each socket really reached (the second line of
 * defence, against DNS rebinding) before any byte is written.
 */
function connectionPool(options: SafeFetchOptions): Agent {
  const { Agent, buildConnector } = undici();
  const baseConnect = buildConnector({ timeout: options.connectTimeoutMs ?? Math.min(10_000, options.timeoutMs) });
  const connect: buildConnector.connector = (opts, callback) =>
    baseConnect(opts, (error, socket) => {
      if (error || !socket) return callback(error ?? new Error('no socket'), null);
      const ip = socket.remoteAddress ?? '';
      const port = portOf(opts.protocol, opts.port);
      if (!mayConnect({ host: opts.hostname, port, ip }, options.allowPrivate)) {
        socket.destroy();
        return callback(new Refused(`${ip} ${privateHint}`), null);
      }
      callback(null, socket);
    });
  return new Agent({ connect, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, keepAliveTimeout: 30_000, connections: 8 });
}

/** undici, loaded at the first fetch (a command that fetches nothing never pays for it). */
const undici = lazy<typeof import('undici')>('undici');

/** Creates the project's fetch; one connection pool (made at the first fetch), closed with `close()`. */
export function createSafeFetch(options: SafeFetchOptions): SafeFetch {
  const resolve = options.resolve ?? defaultResolve;
  const maxRedirects = options.maxRedirects ?? 5;
  let pool: Agent | undefined;
  const agent = () => (pool ??= connectionPool(options));

  async function checkDestination(url: URL): Promise<void> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = portOf(url.protocol, url.port);
    const ips = isIP(host) ? [host] : await resolve(host).catch((cause: unknown) => {
      throw new FetchError('network', url.href, `cannot resolve ${host}`, { cause });
    });
    if (ips.length === 0) throw new FetchError('network', url.href, `cannot resolve ${host}`);
    for (const ip of ips) {
      if (!mayConnect({ host, port, ip }, options.allowPrivate)) {
        throw new FetchError('refused', url.href, `refused: ${host === ip ? ip : `${host} (${ip})`} ${privateHint}`);
      }
    }
  }

  const safeFetch = (async (rawUrl: string, req: FetchRequest = {}): Promise<FetchResult> => {
    const cap = req.maxBytes ?? options.maxBytes;
    const timeoutMs = req.timeoutMs ?? options.timeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new FetchError('bad-url', rawUrl, 'not a valid URL');
    }
    const seen = new Set<string>();
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new FetchError('bad-url', url.href, `only http and https URLs can be fetched, not ${url.protocol}`);
      }
      if (url.username || url.password) throw new FetchError('bad-url', url.href, 'URLs with credentials are not fetched');
      await checkDestination(url);
      const headers: Record<string, string> = {
        'user-agent': options.userAgent ?? USER_AGENT,
        accept: req.accept ?? '*/*',
        'accept-encoding': 'gzip, deflate, br',
        'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8',
      };
      if (hop === 0 && req.etag) headers['if-none-match'] = req.etag;
      if (hop === 0 && req.lastModified) headers['if-modified-since'] = req.lastModified;
      let res: Awaited<ReturnType<typeof import('undici').request>>;
      try {
        res = await undici().request(url, { method: 'GET', headers, signal, dispatcher: agent(), headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      } catch (cause) {
        throw classify(cause, url.href, timeoutMs);
      }
      const h = res.headers;
      const hints: CacheHints = {};
      const maxAge = parseMaxAge(header(h, 'cache-control'));
      if (maxAge !== undefined) hints.maxAgeMs = maxAge;
      const retryAfter = parseRetryAfter(header(h, 'retry-after'));
      if (retryAfter !== undefined) hints.retryAfterMs = retryAfter;

      if (res.statusCode === 304) {
        await res.body.dump();
        return { status: 'not-modified', url: url.href, hints };
      }
      if ([301, 302, 303, 307, 308].includes(res.statusCode)) {
        await res.body.dump();
        const location = header(h, 'location');
        if (!location) throw new FetchError('http', url.href, `HTTP ${res.statusCode} without a Location`, { status: res.statusCode });
        if (hop >= maxRedirects) throw new FetchError('redirects', rawUrl, `more than ${maxRedirects} redirects`);
        seen.add(url.href);
        const next = new URL(location, url);
        if (seen.has(next.href)) throw new FetchError('redirects', rawUrl, `redirect loop at ${next.href}`);
        url = next;
        continue;
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        await res.body.dump().catch(() => {});
        const extra: { status: number; retryAfterMs?: number } = { status: res.statusCode };
        if (retryAfter !== undefined) extra.retryAfterMs = retryAfter;
        throw new FetchError('http', url.href, `HTTP ${res.statusCode}`, extra);
      }
      const length = Number(header(h, 'content-length'));
      if (Number.isFinite(length) && length > cap) {
        res.body.destroy();
        throw new FetchError('too-large', url.href, `body of ${length} bytes is over the ${cap}-byte limit`);
      }
      let body: Buffer;
      try {
        body = await readCapped(res.body, header(h, 'content-encoding'), cap);
      } catch (cause) {
        res.body.destroy();
        if (cause instanceof TooLarge) throw new FetchError('too-large', url.href, `${cause.message}`);
        throw classify(cause, url.href, timeoutMs);
      }
      const validators: Validators = {};
      const etag = header(h, 'etag');
      const lastModified = header(h, 'last-modified');
      if (etag) validators.etag = etag;
      if (lastModified) validators.lastModified = lastModified;
      return { status: 'ok', url: url.href, body, contentType: header(h, 'content-type'), validators, hints };
    }
  }) as SafeFetch;
  safeFetch.close = async () => {
    await pool?.close();
  };
  return safeFetch;
}

function classify(cause: unknown, url: string, timeoutMs: number): FetchError {
  if (cause instanceof FetchError) return cause;
  if (cause instanceof Refused) return new FetchError('refused', url, `refused: ${cause.detail}`);
  const err = cause as { name?: string; code?: string; message?: string };
  const code = err?.code ?? '';
  if (
    err?.name === 'TimeoutError' ||
    err?.name === 'AbortError' ||
    /TIMEOUT/.test(code)
  ) {
    return new FetchError('timeout', url, `no complete answer within ${Math.round(timeoutMs / 1000)} s`, { cause });
  }
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'ERR__ERROR_FORMAT_PADDING_1') {
    return new FetchError('network', url, 'the compressed body is corrupt', { cause });
  }
  const detail = code ? `${code}` : (err?.message ?? String(cause));
  return new FetchError('network', url, `network error: ${detail}`, { cause });
}
