// The HTTP side on PORT: GET /healthz and GET /metrics always, and Telegram's webhook (secret checked) in webhook mode.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  health: () => Record<string, unknown>;
  /** Prometheus' text format. */
  metrics?: { contentType: string; render(): Promise<string> };
  webhook?: { path: string; handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void };
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, ...options.health() }));
      return;
    }
    if (req.method === 'GET' && path === '/metrics' && options.metrics) {
      const metrics = options.metrics;
      void metrics.render().then(
        (body) => res.writeHead(200, { 'content-type': metrics.contentType }).end(body),
        () => res.writeHead(503, { 'content-type': 'text/plain' }).end('figures unavailable (is the database reachable?)\n'),
      );
      return;
    }
    if (options.webhook && path === options.webhook.path) {
      void Promise.resolve(options.webhook.handle(req, res)).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${options.port} is already in use: set PORT to a free one`, { cause: error }) : error),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
