// The password rule, shared by setup, the CLI and password changes. Length matters most
// (NIST SP 800-63B); we also refuse passwords built from the account's own name or email
// and ones with almost no variety ("aaaaaaaaaaaa", "abababababab").

export const passwordMinLength = 12;
export const passwordMaxLength = 256;

export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | null {
  if (password.length < passwordMinLength) return `Password must be at least ${passwordMinLength} characters.`;
  if (password.length > passwordMaxLength) return `Password must be at most ${passwordMaxLength} characters.`;
  if (new Set(password).size < 5) return 'Password needs more variety: use at least 5 different characters.';
  const lower = password.toLowerCase();
  const personal = [context.email?.split('@')[0], ...(context.name?.split(/\s+/) ?? [])]
    .map((s) => s?.toLowerCase().trim() ?? '')
    .filter((s) => s.length >= 4);
  if (personal.some((p) => lower.includes(p))) return 'Password must not contain your name or email.';
  return null;
}
