/** Only same-app paths: "/x" yes, "//evil.example" or "https://…" no (open redirect). */
export function safeRedirect(target: unknown): string {
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) {
    return '/';
  }
  if (['/login', '/setup', '/invite'].some((p) => target.startsWith(p))) return '/';
  return target;
}
