// A TCP proxy in front of a server (PostgreSQL) that a test can cut: refuse new connections, reset the open ones mid-statement, then restore.
import { createServer, Socket, type Server } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Resets every open connection and refuses new ones (each accepted socket is destroyed at once) until `restore`. */
  cut(): void;
  restore(): void;
  /** Connections the proxy has accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let down = false;
  let connections = 0;
  const server: Server = createServer((client) => {
    connections++;
    if (down) return void client.resetAndDestroy();
    const upstream = new Socket();
    open.add(client).add(upstream);
    const drop = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.connect(targetPort, targetHost, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      down = true;
      for (const s of open) s.resetAndDestroy();
      open.clear();
    },
    restore() {
      down = false;
    },
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
