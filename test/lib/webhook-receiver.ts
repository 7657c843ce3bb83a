import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  at: number;
}

export interface WebhookReceiver {
  server: Server;
  /** Where to point a rule's webhook. */
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

/** A local HTTP server that answers every POST 200 and keeps what it got, in arrival order. */
export function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks), at: Date.now() });
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      ok({
        server,
        url: `http://127.0.0.1:${bound}/hooks/casefile`,
        received,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
