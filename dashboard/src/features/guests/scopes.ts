import type { AppRouter } from '@serverbox/core/router';
import type { inferRouterInputs } from '@trpc/server';

/** What a guest link may grant (the core's `guestGrantable`: read-only verbs). */
export type GuestScope = inferRouterInputs<AppRouter>['guests']['create']['permissions'][number];

/** Each grantable scope in plain language: a short badge, the checkbox text, the banner phrase. */
export const guestScopes = [
  { scope: 'audit:read', short: 'Audit log', description: 'Read the audit log', phrase: 'read the audit log' },
  {
    scope: 'audit:verify',
    short: 'Verify',
    description: 'Verify the audit chain',
    phrase: 'verify the audit chain',
  },
  { scope: 'audit:export', short: 'Export', description: 'Export audit bundles', phrase: 'export audit bundles' },
  { scope: 'system:read', short: 'Core health', description: 'See core health', phrase: 'see core health' },
  {
    scope: 'nodes:read',
    short: 'Nodes',
    description: 'See nodes in scope: facts, health and pool state',
    phrase: 'see the nodes in scope',
  },
] as const satisfies readonly { scope: GuestScope; short: string; description: string; phrase: string }[];

// Fails to compile when the core can grant a scope this list does not describe.
type Undescribed = Exclude<GuestScope, (typeof guestScopes)[number]['scope']>;
const everyScopeDescribed: Undescribed extends never ? true : never = true;
void everyScopeDescribed;

export const scopeInfo = (p: string) => guestScopes.find((s) => s.scope === p);
