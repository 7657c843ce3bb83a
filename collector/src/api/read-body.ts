import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { BadInputError, PayloadTooLargeError, UnsupportedError } from '../errors/errors.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/**
 * Read a request body with a hard cap that also applies after decompression (OTLP/HTTP rule:
 * a small gzip bomb must not become a large allocation).
 */
export async function readBody(req: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new PayloadTooLargeError(`body of ${declared} bytes is over the limit of ${maxBytes} bytes`);
  }
  const raw = await readCapped(req, maxBytes);
  const encoding = (req.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  const options = { maxOutputLength: maxBytes };
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return await gunzipAsync(raw, options);
    if (encoding === 'deflate') return await inflateAsync(raw, options);
  } catch (err) {
    if (err instanceof RangeError || (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PayloadTooLargeError(`decompressed body is over the limit of ${maxBytes} bytes`, { cause: err });
    }
    throw new PayloadBadEncoding(`body is not valid ${encoding} data: ${(err as Error).message}`, { cause: err });
  }
  throw new UnsupportedError(`Content-Encoding "${encoding.slice(0, 32)}" is not supported (use gzip or none)`, 415);
}

class PayloadBadEncoding extends BadInputError {}

async function readCapped(req: Request, maxBytes: number): Promise<Buffer> {
  if (!req.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new PayloadTooLargeError(`body is over the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
