// A feed server of the tests' own on 127.0.0.1: documents by path, conditional GET, gzip, redirects, stalls and floods on demand.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface Doc {
  body?: string | Buffer;
  status?: number;
  contentType?: string;
  etag?: string;
  lastModified?: string;
  headers?: Record<string, string>;
  gzip?: boolean;
  /** Custom handler; wins over everything else. */
  handle?: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface FeedServer {
  url(path: string): string;
  port: number;
  set(path: string, doc: Doc): void;
  /** Requests seen, in order, with the headers that matter. */
  requests: Array<{ path: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

export async function startFeedServer(host = '127.0.0.1'): Promise<FeedServer> {
  const docs = new Map<string, Doc>();
  const requests: FeedServer['requests'] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, headers: req.headers });
    const doc = docs.get(path) ?? docs.get(path.split('?')[0]!);
    if (!doc) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (doc.handle) return doc.handle(req, res);
    const headers: Record<string, string> = { ...(doc.headers ?? {}) };
    if (doc.contentType) headers['content-type'] = doc.contentType;
    if (doc.etag) headers.etag = doc.etag;
    if (doc.lastModified) headers['last-modified'] = doc.lastModified;
    const notModified =
      (doc.etag && req.headers['if-none-match'] === doc.etag) || (doc.lastModified && !doc.etag && req.headers['if-modified-since'] === doc.lastModified);
    if (notModified) {
      res.writeHead(304, headers).end();
      return;
    }
    let body = typeof doc.body === 'string' ? Buffer.from(doc.body) : (doc.body ?? Buffer.alloc(0));
    if (doc.gzip) {
      body = gzipSync(body);
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(body.length);
    res.writeHead(doc.status ?? 200, headers).end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path) => `http://${host}:${port}${path}`,
    set: (path, doc) => docs.set(path, doc),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An RSS 2.0 document with the given items. */
export function rss(title: string, items: Array<{ title: string; link: string; guid?: string; description?: string; pubDate?: string }>, extra = ''): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${esc(title)}</title><link>https://example.org/</link>${extra}
${items
  .map(
    (i) =>
      `<item><title>${esc(i.title)}</title><link>${esc(i.link)}</link>${i.guid ? `<guid>${esc(i.guid)}</guid>` : ''}<description>${esc(i.description ?? '')}</description>${i.pubDate ? `<pubDate>${i.pubDate}</pubDate>` : ''}</item>`,
  )
  .join('\n')}
</channel></rss>`;
}
