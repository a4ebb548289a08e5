/** "Chrome 156 on Linux" from a user-agent string; falls back to "Unknown browser". */
export function describeUserAgent(ua: string | null): string {
  if (!ua) return 'Unknown device';
  const browser =
    match(ua, /Edg\/(\d+)/, 'Edge') ??
    match(ua, /OPR\/(\d+)/, 'Opera') ??
    match(ua, /Firefox\/(\d+)/, 'Firefox') ??
    match(ua, /HeadlessChrome\/(\d+)/, 'Headless Chrome') ??
    match(ua, /Chrome\/(\d+)/, 'Chrome') ??
    match(ua, /Version\/(\d+)[\d.]* .*Safari\//, 'Safari') ??
    match(ua, /^curl\/([\d.]+)/, 'curl') ??
    match(ua, /^node/, 'Node.js') ??
    'Unknown browser';
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Android/.test(ua)
      ? 'Android'
      : /iPhone|iPad|iOS/.test(ua)
        ? 'iOS'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : null;
  return os ? `${browser} on ${os}` : browser;
}

function match(ua: string, re: RegExp, name: string): string | undefined {
  const m = re.exec(ua);
  if (!m) return undefined;
  return m[1] ? `${name} ${m[1]}` : name;
}
