import { z } from 'zod';
import { passwordMaxLength } from './password-policy.js';
import { roles } from './permissions.js';

// Input shapes of the access procedures. Sizes are capped so no field can carry a megabyte.
export const email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'Enter a valid email address.' }));
const password = z.string().min(1, 'Enter a password.').max(passwordMaxLength);
const displayName = z
  .string()
  .trim()
  .min(1, 'Enter a name.')
  .max(100)
  .refine((s) => !/[\p{Cc}]/u.test(s), 'Name must not contain control characters.');

export const setupInput = z.object({
  token: z.string().min(16).max(128),
  email,
  name: displayName,
  password,
});
export const loginInput = z.object({ email: z.string().trim().max(254), password });
export const changePasswordInput = z.object({ currentPassword: password, newPassword: password });
/** Node scope input: null = every node. Labels follow the node label rule. */
export const nodeScopeInput = z
  .object({
    nodeIds: z.array(z.uuid()).max(500),
    labels: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'Labels are lowercase letters, digits, . _ -'))
      .max(100),
  })
  .nullable();
export const acceptInviteInput = z.object({ token: z.string().min(16).max(128), name: displayName, password });
export const inviteInput = z.object({ email, role: z.enum(roles) });
export const userIdInput = z.object({ userId: z.uuid() });
export const createAdminInput = z.object({ email, name: displayName, password });
