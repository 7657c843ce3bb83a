import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/** The kernel's range of ports for outgoing connections (Linux), else the usual default. */
function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(lo) && Number.isInteger(hi)) return [lo as number, hi as number];
  } catch {}
  return [32768, 60999];
}

function bind(port: number): Promise<Server | undefined> {
  const server = createServer();
  return new Promise((ok) => {
    server.once('error', () => ok(undefined));
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

/**
 * `count` distinct TCP ports that are free on 127.0.0.1 now, all held until every one is chosen, then
 * released for the caller to bind. For servers that cannot be told to listen on port 0 and report the
 * port back (ClickHouse, ZooKeeper); anything that can should do that.
 *
 * The ports lie below the kernel's ephemeral range: a port from that range can be taken as the local
 * end of any outgoing connection between choosing it and binding it, or while a server is restarted
 * on it, and ClickHouse 18.16 then runs on without that listener. Below the range only a process
 * that binds the port itself can take it. Consecutive ports from a random start, so parallel callers
 * rarely meet; a taken port is skipped.
 */
export async function freePorts(count: number): Promise<number[]> {
  const [ephemeralLo] = ephemeralRange();
  const top = Math.min(ephemeralLo, 65536);
  const bottom = Math.max(10_000, top - 16_000);
  if (top - bottom < count * 4) throw new Error(`no room for ${count} ports below the ephemeral range (${top})`);
  const servers: Server[] = [];
  try {
    let port = bottom + Math.floor(Math.random() * (top - bottom - count * 4));
    while (servers.length < count) {
      if (port >= top) throw new Error(`could not find ${count} free ports below ${top}`);
      const server = await bind(port);
      if (server) servers.push(server);
      port++;
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
