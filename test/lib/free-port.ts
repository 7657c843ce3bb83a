import { createServer, type Server } from 'node:net';

/**
 * `count` distinct TCP ports that are free on 127.0.0.1 now: each is bound to port 0 (the OS picks), all
 * are held until every one is chosen, then released for the caller to bind. For servers that cannot be
 * told to listen on port 0 and report the port back (ClickHouse); anything that can should do that.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((ok, fail) => {
        server.once('error', fail);
        server.listen(0, '127.0.0.1', ok);
      });
    }
    return servers.map((s) => {
      const address = s.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((done) => s.close(() => done()))));
  }
}
