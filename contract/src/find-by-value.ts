import { z } from 'zod';
import { runSummarySchema, textMatchSchema } from './run.js';

/**
 * Find by value: an investigator types a datum (an e-mail address, IBAN, phone or card number, a key);
 * the collector computes the pseudonym token it becomes with the project's keys and answers the runs
 * that carried it. The value travels only in this request body: never in a URL, never stored.
 */
export const findByValueRequestSchema = z.object({
  project: z
    .unknown()
    .optional()
    .transform((v) => (typeof v === 'string' ? v : undefined)),
  value: z
    .string({ error: 'value is required (the e-mail address, IBAN, phone number, card or key to look for)' })
    .transform((v) => v.trim())
    .pipe(z.string().min(1, 'value must not be empty').max(512, 'value must be at most 512 characters')),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type FindByValueRequest = z.input<typeof findByValueRequestSchema>;

export const findByValueAnswerSchema = z.object({
  /** What the value was recognised as (`email`, `iban`, `phone`, `card`, `aws_key`, …). */
  kind: z.string(),
  /** The token the value becomes under each pseudonym key the collector knows for the project. */
  tokens: z.array(z.string()),
  runs: z.array(runSummarySchema),
  /** Where each run carried the token (its first matching step and field), in the order of `runs`. */
  textMatches: z.array(textMatchSchema).optional(),
  /** More runs matched than `limit`. */
  more: z.boolean(),
  /** Why nothing could be searched (no pseudonym key known for the project yet). */
  note: z.string().optional(),
});
export type FindByValueAnswerDto = z.infer<typeof findByValueAnswerSchema>;
