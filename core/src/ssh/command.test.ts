import { describe, expect, it } from 'vitest';
import {
  adminShell,
  asRoot,
  CommandError,
  checkParam,
  checkTemplate,
  operands,
  quote,
  renderTemplate,
  run,
  script,
} from './command.js';

describe('quote', () => {
  it('makes one shell word of anything but NUL', () => {
    expect(quote('plain')).toBe('plain');
    expect(quote('a b')).toBe("'a b'");
    expect(quote('')).toBe("''");
    expect(() => quote('a\0b')).toThrow(CommandError);
  });
});

describe('run', () => {
  it('puts operands after --', () => {
    expect(run('systemctl', 'restart', operands('-x.service')).text).toBe('systemctl restart -- -x.service');
  });
  it('wraps non-root users in sudo -n and leaves root alone', () => {
    const c = run('id', '-u');
    expect(asRoot(c, 'root').text).toBe('id -u');
    expect(asRoot(c, 'deploy').text).toBe("sudo -n -- sh -c 'id -u'");
  });
  it('passes script values as positional parameters', () => {
    expect(script`echo "$1"`('$(x)').text).toBe(`sh -c 'echo "$1"' sh \\$\\(x\\)`);
  });
});

describe('named command templates', () => {
  const p = [{ name: 'unit', type: 'string' as const, pattern: '[a-z-]+\\.service' }];
  it('accepts whole-word placeholders outside quotes', () => {
    expect(checkTemplate('systemctl restart {unit}', p)).toEqual([]);
    expect(checkTemplate('echo "x" {unit}; true', p)).toEqual([]);
  });
  it('refuses placeholders in quotes, glued, undeclared, unused, and open quotes', () => {
    expect(checkTemplate("echo '{unit}'", p).join()).toMatch(/inside quotes/);
    expect(checkTemplate('echo x{unit}', p).join()).toMatch(/whole word/);
    expect(checkTemplate('echo {other}', p).join()).toMatch(/not a declared/);
    expect(checkTemplate('echo hi', p).join()).toMatch(/not used/);
    expect(checkTemplate("echo 'open {unit}", p).join()).toMatch(/quote/);
  });
  it('renders each value as one quoted word after checking its type', () => {
    expect(renderTemplate('systemctl restart {unit}', p, { unit: 'nginx.service' }).text).toBe(
      'systemctl restart nginx.service',
    );
    expect(() => renderTemplate('systemctl restart {unit}', p, { unit: 'x; rm -rf /' })).toThrow(/does not match/);
    expect(() => renderTemplate('systemctl restart {unit}', p, {})).toThrow(/required/);
    expect(() => renderTemplate('systemctl restart {unit}', p, { unit: 'a.service', extra: '1' })).toThrow(/unknown/);
    const free = [{ name: 'msg', type: 'string' as const }];
    expect(renderTemplate('echo {msg}', free, { msg: '$(id); `id`' }).text).toBe("echo '$(id); `id`'");
  });
  it('checks integers, booleans and enums', () => {
    expect(checkParam({ name: 'n', type: 'integer' }, '12').value).toBe('12');
    expect(checkParam({ name: 'n', type: 'integer' }, '1e3').problem).toBeTruthy();
    expect(checkParam({ name: 'b', type: 'boolean' }, 'yes').problem).toBeTruthy();
    expect(checkParam({ name: 'e', type: 'enum', values: ['a', 'b'] }, 'c').problem).toBeTruthy();
    expect(checkParam({ name: 'o', type: 'string', required: false }, undefined).value).toBe('');
  });
  it('takes an admin shell command as it is, but never empty or with NUL', () => {
    expect(adminShell('uptime | cat').text).toBe('uptime | cat');
    expect(() => adminShell('  ')).toThrow(CommandError);
    expect(() => adminShell('a\0')).toThrow(CommandError);
  });
});
