/**
 * Request validation with the contract's Zod schemas, the Hono way: `validQuery(schema)` is Hono's own
 * `validator('query', …)`, `validJson(schema, …)` a small adapter over it that first reads the body
 * with the collector's size cap (also after decompression). Handlers read the parsed, typed value
 * with `c.req.valid('query' | 'json')`. A value that does not fit is a `BadInputError` (→ 400) whose
 * message names the field and says what is wrong.
 */
import type { Env, MiddlewareHandler } from 'hono';
import { validator } from 'hono/validator';
import type { z } from 'zod';
import { BadInputError } from '../errors/errors.js';
import { readBody } from './read-body.js';

export function validQuery<S extends z.ZodType>(schema: S) {
  return validator('query', (value: Record<string, string | string[]>) => {
    // A repeated parameter counts once, by its first value, as `c.req.query(name)` reads it.
    const first = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
    return parseOrThrow(schema, first);
  });
}

export interface JsonBodyOptions {
  maxBytes: number;
  /** What the body should be, for the message when it is not JSON at all: "body must be <this>". */
  expected: string;
}

export function validJson<S extends z.ZodType, E extends Env = Env, P extends string = string>(
  schema: S,
  options: JsonBodyOptions,
): MiddlewareHandler<E, P, { in: { json: z.input<S> }; out: { json: z.output<S> } }> {
  return async (c, next) => {
    const text = (await readBody(c.req.raw, options.maxBytes)).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new BadInputError(`body must be ${options.expected}`, { cause: error });
    }
    c.req.addValidatedData('json', parseOrThrow(schema, body) as object);
    await next();
  };
}

/**
 * The schema's output, or a 400 listing up to three problems. A schema's own message that already names
 * its field ("limit must be …") is used as written; any other is prefixed with the field's path.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path === '' || issue.message.startsWith(path) ? issue.message : `${path}: ${issue.message}`;
  });
  throw new BadInputError(problems.join('; '));
}
