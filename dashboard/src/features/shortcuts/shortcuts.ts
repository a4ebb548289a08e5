import type { Permission } from '../auth/use-me';

/** Every keyboard shortcut, with the permission its page needs (pages that exist only). */
export const shortcuts = [
  { keys: ['g', 'o'], label: 'Go to Overview', to: '/', needs: 'system:read' },
  { keys: ['g', 'n'], label: 'Go to Nodes', to: '/nodes', needs: 'nodes:read' },
  { keys: ['g', 'a'], label: 'Go to Audit log', to: '/audit', needs: 'audit:read' },
  { keys: ['g', 'p'], label: 'Go to Settings › Profile', to: '/settings/profile', needs: 'profile:manage' },
  { keys: ['g', 'u'], label: 'Go to Settings › Users', to: '/settings/users', needs: 'users:manage' },
  { keys: ['g', 'l'], label: 'Go to Settings › Guest links', to: '/settings/guests', needs: 'guests:manage' },
] as const satisfies readonly { keys: readonly string[]; label: string; to: string; needs: Permission }[];

export type ShortcutTarget = (typeof shortcuts)[number]['to'];

/** Keys typed into a field belong to the field. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}
