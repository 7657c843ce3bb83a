import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { Handler } from 'hono';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * Serve the built UI: real files by path (never outside `dir`), and index.html for any other
 * GET that is not an API or OTLP path, so that client-side routes are shareable links.
 */
export function staticUi(dir: string | undefined): Handler {
  return async (c, next) => {
    const path = c.req.path;
    if (path.startsWith('/api/') || path.startsWith('/v1/')) return next();
    if (!dir) return c.text('Casefile collector: the UI is not built (run `npm run build`).', 404);
    const root = resolve(dir);
    const target = resolve(join(root, decodeSafe(path)));
    if (target.startsWith(root + sep) && extname(target) !== '') {
      const file = await readIfFile(target);
      if (file) {
        const immutable = target.includes(`${sep}assets${sep}`);
        return c.body(file, 200, {
          'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
          'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
      }
      return c.text('not found', 404);
    }
    const index = await readIfFile(join(root, 'index.html'));
    if (!index) return c.text('Casefile collector: the UI is not built (run `npm run build`).', 404);
    return c.body(index, 200, { 'content-type': TYPES['.html'] as string, 'cache-control': 'no-cache' });
  };
}

function decodeSafe(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return '/';
  }
}

async function readIfFile(path: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
  try {
    const s = await stat(path);
    if (!s.isFile()) return undefined;
    return new Uint8Array(await readFile(path));
  } catch {
    return undefined;
  }
}
