// The password rule, shared by setup, the CLI, password changes and the dashboard's live
// hint (imported as @serverbox/core/password-policy). Length matters most (NIST SP
// 800-63B); we also refuse passwords with almost no variety ("abababababab") and ones
// built from the account's own name or email.

export const passwordMinLength = 12;
export const passwordMaxLength = 256;

export interface PasswordCheck {
  label: string;
  ok: boolean;
  /** What to tell the user when the check fails. */
  problem: string;
}

export function passwordChecks(password: string, context: { email?: string; name?: string } = {}): PasswordCheck[] {
  const lower = password.toLowerCase();
  const personal = [context.email?.split('@')[0], ...(context.name?.split(/\s+/) ?? [])]
    .map((s) => s?.toLowerCase().trim() ?? '')
    .filter((s) => s.length >= 4);
  return [
    {
      label: `At least ${passwordMinLength} characters`,
      ok: password.length >= passwordMinLength,
      problem: `Password must be at least ${passwordMinLength} characters.`,
    },
    {
      label: 'At least 5 different characters',
      ok: new Set(password).size >= 5,
      problem: 'Password needs more variety: use at least 5 different characters.',
    },
    {
      label: 'Does not contain your name or email',
      ok: password.length > 0 && !personal.some((p) => lower.includes(p)),
      problem: 'Password must not contain your name or email.',
    },
  ];
}

export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | null {
  if (password.length > passwordMaxLength) return `Password must be at most ${passwordMaxLength} characters.`;
  return passwordChecks(password, context).find((c) => !c.ok)?.problem ?? null;
}
