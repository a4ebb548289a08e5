import { z } from 'zod';
import { can, canUser, router } from '../../trpc/init.js';

const param = z.object({
  name: z.string().trim().min(1).max(32),
  type: z.enum(['string', 'integer', 'boolean', 'enum']),
  pattern: z.string().max(500).optional(),
  values: z.array(z.string().max(200)).max(50).optional(),
  required: z.boolean().optional(),
  default: z.string().max(4096).optional(),
  description: z.string().max(300).optional(),
});

const command = z.object({
  name: z.string().trim().toLowerCase().min(1, 'Give the command a name.').max(63),
  description: z.string().trim().max(500).default(''),
  template: z.string().trim().min(1, 'Write the command.').max(8000),
  params: z.array(param).max(20).default([]),
  root: z.boolean().default(false),
  timeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(24 * 3600)
    .default(300),
});

const targets = z
  .object({ nodeIds: z.array(z.uuid()).max(1000).default([]), labels: z.array(z.string().max(63)).max(50).default([]) })
  .refine((t) => t.nodeIds.length + t.labels.length > 0, 'Choose at least one node or label.');

export const commandsRouter = router({
  list: can('nodes:exec').query(({ ctx }) => ctx.services.runs.commands()),
  create: canUser('commands:manage')
    .input(command)
    .mutation(({ ctx, input }) => ctx.services.runs.createCommand(ctx.actor, input)),
  update: canUser('commands:manage')
    .input(command.extend({ id: z.uuid() }))
    .mutation(({ ctx, input }) => {
      const { id, ...rest } = input;
      return ctx.services.runs.updateCommand(id, rest);
    }),
  remove: canUser('commands:manage')
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => ctx.services.runs.removeCommand(input.id)),
});

export const runsRouter = router({
  list: can('nodes:exec')
    .input(
      z
        .object({ limit: z.number().int().min(1).max(100).default(25), offset: z.number().int().min(0).default(0) })
        .default({ limit: 25, offset: 0 }),
    )
    .query(({ ctx, input }) => ctx.services.runs.list(input.limit, input.offset)),
  get: can('nodes:exec')
    .input(z.object({ runId: z.uuid() }))
    .query(({ ctx, input }) => ctx.services.runs.get(ctx.actor, input.runId)),
  /** Runs a named command on the chosen nodes; returns at once with the run id. */
  start: canUser('nodes:exec')
    .input(
      z.object({
        commandId: z.uuid(),
        params: z.record(z.string().max(32), z.string().max(4096)).default({}),
        targets,
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.runs.start(ctx.actor, input)),
  /** Ad-hoc shell: admins only (nodes:shell). */
  startAdHoc: canUser('nodes:shell')
    .input(
      z.object({
        command: z.string().min(1, 'Write the command.').max(8000),
        root: z.boolean().default(false),
        timeoutSeconds: z.number().int().min(1).max(3600).default(300),
        targets,
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.runs.startAdHoc(ctx.actor, input)),
  cancel: canUser('nodes:exec')
    .input(z.object({ runId: z.uuid() }))
    .mutation(({ ctx, input }) => ctx.services.runs.cancel(input.runId)),
});
