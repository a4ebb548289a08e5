import { z } from 'zod';
import { can, canUser, router, sensitive } from '../../trpc/init.js';

const nodeFields = {
  name: z.string().trim().toLowerCase().min(1, 'Give the node a name.').max(63),
  host: z.string().trim().min(1, 'Give the host.').max(253),
  port: z.number().int().min(1).max(65535).default(22),
  username: z.string().trim().min(1).max(32).default('root'),
  labels: z.array(z.string().trim().toLowerCase().min(1).max(63)).max(20).default([]),
  jumpNodeId: z.uuid().nullish(),
  notes: z.string().max(2000).optional(),
  maxSessions: z.number().int().min(1).max(64).optional(),
};

const credential = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('generate') }),
  z.object({ kind: z.literal('fleet') }),
  z.object({
    kind: z.literal('upload'),
    privateKey: z.string().min(1, 'Paste the private key.').max(16_384),
    passphrase: z.string().max(1024).optional(),
  }),
]);

const id = z.object({ id: z.uuid() });

export const nodesRouter = router({
  list: can('nodes:read')
    .input(
      z
        .object({
          search: z.string().max(100).optional(),
          status: z.enum(['pending', 'online', 'degraded', 'offline', 'quarantined']).optional(),
          label: z.string().max(63).optional(),
          limit: z.number().int().min(1).max(200).default(50),
          offset: z.number().int().min(0).default(0),
        })
        .default({ limit: 50, offset: 0 }),
    )
    .query(({ ctx, input }) => ctx.services.nodes.list(ctx.actor, input)),

  get: can('nodes:read')
    .input(id)
    .query(({ ctx, input }) => ctx.services.nodes.get(ctx.actor, input.id)),

  poolStats: can('nodes:read')
    .input(id)
    .query(({ ctx, input }) => ctx.services.nodes.poolStats(ctx.actor, input.id)),

  create: canUser('nodes:write')
    .input(
      z.object({
        ...nodeFields,
        hostKeyFingerprint: z.string().trim().max(100).nullish(),
        credential: credential.default({ kind: 'generate' }),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.nodes.create(ctx.actor, input)),

  update: canUser('nodes:write')
    .input(z.object({ id: z.uuid(), ...nodeFields }))
    .mutation(({ ctx, input }) => {
      const { id: nodeId, ...fields } = input;
      return ctx.services.nodes.update(ctx.actor, nodeId, fields);
    }),

  remove: canUser('nodes:write')
    .input(id)
    .mutation(({ ctx, input }) => ctx.services.nodes.remove(ctx.actor, input.id)),

  /** Connect now: first contact (the host key to confirm), or facts and health again. */
  refresh: canUser('nodes:write')
    .input(id)
    .mutation(({ ctx, input }) => ctx.services.nodes.refresh(ctx.actor, input.id)),

  trustHostKey: sensitive('nodes:trust')
    .input(z.object({ id: z.uuid(), fingerprint: z.string().trim().max(100) }))
    .mutation(({ ctx, input }) => ctx.services.nodes.trustHostKey(ctx.actor, input.id, input.fingerprint)),

  /** Public key material and its install command: a sensitive read (fresh password or code). */
  publicKey: sensitive('nodes:write')
    .input(id)
    .query(({ ctx, input }) => ctx.services.nodes.publicKey(ctx.actor, input.id)),
});
