/**
 * Delivers alert notifications to webhooks: signed JSON POSTs, retried with exponential backoff and
 * full jitter on network errors, timeouts, 5xx and 429 (honouring Retry-After), never on other 4xx
 * (the receiver said the request itself is wrong; repeating it cannot help). Every attempt is recorded
 * with `recordAlertDelivery`; the secret never is, and the target is shown without credentials.
 * Redirects are not followed (a redirect could point at an address the guard refuses).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { AlertEventDto } from '@casefile/contract';
import { type Logger, silentLogger } from '../log/logger.js';
import type { AlertStore } from '../store/port.js';
import { webhookBody } from './payload.js';
import type { AlertRule } from './rule-model.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signPayload } from './signature.js';
import { blockedAddressReason, guardedLookup } from './url-guard.js';

export interface NotifierOptions {
  store: AlertStore;
  /** Attempts per notification, first included (default 5). */
  maxAttempts?: number;
  /** Per attempt, connection to last byte (default 10,000 ms). */
  timeoutMs?: number;
  /** First retry waits up to this long; doubles per attempt (default 500 ms). */
  baseDelayMs?: number;
  /** Cap on one wait, Retry-After included (default 30,000 ms). */
  maxDelayMs?: number;
  /** Also refuse loopback and private networks (default false: self-hosted receivers are common). */
  blockPrivate?: boolean;
  /** UI base URL for links in the bodies. */
  publicUrl?: string | undefined;
  /** Warnings: a webhook that failed for good, a delivery that could not be recorded. */
  log?: Logger;
  random?: () => number;
  /** Told the outcome of every webhook notification (metrics). */
  onDelivery?: (outcome: DeliveryOutcome) => void;
}

export interface Notification {
  projectId: string;
  rule: AlertRule;
  event: AlertEventDto;
  renotification: boolean;
}

export interface DeliveryOutcome {
  delivered: boolean;
  attempts: number;
}

export interface Notifier {
  /** Resolves when delivered, given up or cancelled by `close`; never throws. */
  notify(n: Notification): Promise<DeliveryOutcome>;
  /** Cancels pending retry waits (attempts already made stay recorded). */
  close(): void;
}

/** The URL as shown in delivery logs: no user info, no query, no token-like path segments. */
export function redactTarget(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '(invalid URL)';
  }
  if (url.hostname === 'hooks.slack.com' || url.hostname.endsWith('.slack.com')) {
    return `${url.protocol}//${url.host}${url.pathname.startsWith('/services/') ? '/services/…' : '/…'}`;
  }
  const path = url.pathname
    .split('/')
    .map((seg) => (seg.length >= 16 && /\d/.test(seg) && /^[\w.~%-]+$/.test(seg) ? '…' : seg))
    .join('/');
  return `${url.protocol}//${url.host}${path}${url.search ? '?…' : ''}`;
}

interface Attempt {
  statusCode: number;
  error: string;
  retryAfterMs?: number;
  /** A failure that no retry can fix (refused address, 4xx). */
  permanent: boolean;
}

function retryAfterMs(res: IncomingMessage): number | undefined {
  const h = res.headers['retry-after'];
  if (typeof h !== 'string') return undefined;
  if (/^\d{1,6}$/.test(h.trim())) return Number(h.trim()) * 1000;
  const at = Date.parse(h);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

function post(
  url: URL,
  body: Buffer,
  headers: Record<string, string>,
  opts: Required<Pick<NotifierOptions, 'timeoutMs' | 'blockPrivate'>>,
): Promise<Attempt> {
  return new Promise((resolve) => {
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(host) !== 0) {
      const reason = blockedAddressReason(host, opts.blockPrivate);
      if (reason) return resolve({ statusCode: 0, error: `refused: ${reason}`, permanent: true });
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    let timedOut = false;
    const finish = (a: Attempt) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(a);
      }
    };
    const req = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(body.length) },
      lookup: guardedLookup(opts.blockPrivate),
      agent: false,
    });
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    req.on('error', (err) => {
      const refused = err.message.startsWith('refused webhook target');
      finish({ statusCode: 0, error: err.message.slice(0, 300), permanent: refused });
    });
    // Whatever ends the exchange without an answer (a body that never finishes, a reset) is a
    // retryable failure; without this the attempt would wait forever.
    req.on('close', () =>
      finish({
        statusCode: 0,
        error: timedOut ? `timed out after ${opts.timeoutMs} ms` : 'connection closed before the answer ended',
        permanent: false,
      }),
    );
    req.on('response', (res) => {
      res.resume(); // the receiver's body is not needed, only drained
      res.on('error', (err) =>
        finish({
          statusCode: res.statusCode ?? 0,
          error: timedOut ? `timed out after ${opts.timeoutMs} ms` : err.message.slice(0, 300),
          permanent: false,
        }),
      );
      const status = res.statusCode ?? 0;
      const ok = status >= 200 && status < 300;
      const retryable = status === 429 || status >= 500;
      const wait = retryAfterMs(res);
      res.on('end', () =>
        finish({
          statusCode: status,
          error: ok ? '' : `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage.slice(0, 100)}` : ''}`,
          permanent: !ok && !retryable,
          ...(wait !== undefined ? { retryAfterMs: wait } : {}),
        }),
      );
    });
    req.end(body);
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function createNotifier(options: NotifierOptions): Notifier {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const timeoutMs = Math.max(1, options.timeoutMs ?? 10_000);
  const baseDelayMs = Math.max(0, options.baseDelayMs ?? 500);
  const maxDelayMs = Math.max(0, options.maxDelayMs ?? 30_000);
  const blockPrivate = options.blockPrivate ?? false;
  const log = options.log ?? silentLogger;
  const random = options.random ?? Math.random;
  const closing = new AbortController();

  async function record(n: Notification, attempt: number, target: string, a: Attempt, durationMs: number) {
    try {
      await options.store.recordAlertDelivery({
        projectId: n.projectId,
        ruleId: n.rule.id,
        eventId: n.event.id,
        attempt,
        timeNs: BigInt(Date.now()) * 1_000_000n,
        target,
        statusCode: a.statusCode,
        ok: a.error === '',
        error: a.error,
        durationMs,
      });
    } catch (err) {
      log.warn('recording a webhook delivery failed', { projectId: n.projectId, eventId: n.event.id, err });
    }
  }

  return {
    async notify(n) {
      const outcome = await deliver(n);
      if (outcome.attempts > 0) options.onDelivery?.(outcome);
      return outcome;
    },
    close() {
      closing.abort();
    },
  };

  async function deliver(n: Notification): Promise<DeliveryOutcome> {
    const channel = n.rule.channel;
    if (channel.type !== 'webhook') return { delivered: false, attempts: 0 };
    const url = new URL(channel.url);
    const target = redactTarget(channel.url);
    const body = Buffer.from(
      webhookBody(channel.format, {
        projectId: n.projectId,
        rule: n.rule,
        event: n.event,
        publicUrl: options.publicUrl,
        renotification: n.renotification,
      }),
      'utf8',
    );
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'casefile-alerts/1',
        [EVENT_ID_HEADER]: n.event.id,
        'casefile-delivery-attempt': String(attempt),
      };
      // Signed per attempt, so a retry minutes later is not refused as stale.
      if (channel.secret) headers[SIGNATURE_HEADER] = signPayload(channel.secret, body, Date.now() / 1000);
      const started = performance.now();
      const result = await post(url, body, headers, { timeoutMs, blockPrivate });
      await record(n, attempt, target, result, Math.round(performance.now() - started));
      if (result.error === '') return { delivered: true, attempts: attempt };
      if (result.permanent || attempt === maxAttempts) {
        log.warn('webhook delivery failed', {
          projectId: n.projectId,
          ruleId: n.rule.id,
          eventId: n.event.id,
          target,
          attempts: attempt,
          error: result.error,
        });
        return { delivered: false, attempts: attempt };
      }
      const backoff = random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      const wait = Math.min(maxDelayMs, Math.max(backoff, result.retryAfterMs ?? 0));
      if (!(await sleep(wait, closing.signal))) return { delivered: false, attempts: attempt };
    }
    return { delivered: false, attempts: maxAttempts };
  }
}
