import { z } from 'zod';

/** Project IDs: lower-case letters, digits, `_ . -`, starting with a letter or digit, at most 64. */
export const PROJECT_ID_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** `POST /api/admin/projects` (admin): a new project. */
export const projectCreateSchema = z.object(
  {
    id: z
      .string({ error: 'id must be text' })
      .regex(
        PROJECT_ID_PATTERN,
        'id must be 1 to 64 lower-case letters, digits, _ . or -, starting with a letter or digit',
      ),
    name: z
      .string({ error: 'name must be text' })
      .trim()
      .min(1, 'name must not be empty')
      .max(200, 'name must be at most 200 characters'),
  },
  { error: 'body must be JSON {id, name}' },
);
export type ProjectCreate = z.output<typeof projectCreateSchema>;

export const ROLES = ['viewer', 'investigator', 'admin'] as const;

/**
 * `POST /api/admin/credentials` (admin): an ingest key for one project, or a person's login token for
 * one or more projects with a role. The secret is in the answer only.
 */
export const credentialCreateSchema = z
  .object(
    {
      kind: z.enum(['ingest', 'login'], { error: 'kind must be "ingest" or "login"' }),
      name: z
        .string({ error: 'name must be text' })
        .trim()
        .min(1, 'name must not be empty')
        .max(200, 'name must be at most 200 characters'),
      projects: z
        .array(z.string().regex(PROJECT_ID_PATTERN, 'projects must be project IDs'), {
          error: 'projects must be a list of project IDs',
        })
        .min(1, 'projects must name at least one project')
        .max(100, 'projects must name at most 100 projects'),
      role: z.enum(ROLES, { error: 'role must be viewer, investigator or admin' }).default('viewer'),
    },
    { error: 'body must be JSON {kind, name, projects, role?}' },
  )
  .refine((c) => c.kind === 'login' || c.projects.length === 1, {
    message: 'projects: an ingest key writes to exactly one project',
  });
export type CredentialCreate = z.output<typeof credentialCreateSchema>;

export const adminProjectSchema = z.object({ id: z.string(), name: z.string(), createdNs: z.string() });
export const adminProjectListSchema = z.object({ projects: z.array(adminProjectSchema) });
export type AdminProjectDto = z.output<typeof adminProjectSchema>;

/** A credential as admins see it: never its secret or hash, only a short ID to revoke it by. */
export const credentialDtoSchema = z.object({
  id: z.string(),
  kind: z.enum(['ingest', 'login']),
  name: z.string(),
  role: z.enum(ROLES),
  projects: z.array(z.string()),
  createdNs: z.string(),
  revoked: z.boolean(),
  /** The credential this request is signed with (an admin cannot revoke their own). */
  self: z.boolean().optional(),
});
export const credentialListSchema = z.object({ credentials: z.array(credentialDtoSchema) });
export type CredentialDto = z.output<typeof credentialDtoSchema>;

/** The answer to a create: the credential and, this once, its secret. */
export const credentialCreatedSchema = z.object({ credential: credentialDtoSchema, secret: z.string() });

/**
 * How this collector is keeping up, for admins (`GET /api/admin/status`): the detection backlog in
 * the store (every collector's), this collector's detection counters since start, and its ingest
 * write queue. The same figures `/metrics` serves, for people rather than scrapers.
 */
export const collectorStatusSchema = z.object({
  detection: z.object({
    /** Runs the store still has to detect (undefined when the store did not answer in time). */
    backlogRuns: z.number().int().nonnegative().optional(),
    /** Age of the oldest undetected write, seconds. */
    oldestUndetectedSeconds: z.number().nonnegative().optional(),
    /** Age of the oldest due write this collector has not detected yet, seconds (0 when caught up). */
    lagSeconds: z.number().nonnegative(),
    detected: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    retrying: z.number().int().nonnegative(),
  }),
  ingest: z.object({ queuedRows: z.number().int().nonnegative() }),
});
export type CollectorStatusDto = z.output<typeof collectorStatusSchema>;
