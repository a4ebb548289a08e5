import { describe, expect, it } from 'vitest';
import {
  clean,
  isUnitName,
  lineSplitter,
  numberOf,
  parseListUnits,
  parseShow,
  parseUnitFiles,
  unitNameProblem,
} from './services-parsers.js';

describe('unit names', () => {
  it('accepts what systemd names units', () => {
    for (const n of [
      'nginx.service',
      'sbx-demo.service',
      'getty@tty1.service',
      'getty@.service',
      'systemd-fsck@dev-disk-by\\x2duuid-1234.service',
      'dev-vda.device',
      'sys-kernel-debug.mount',
      'apt-daily.timer',
      'user-1000.slice',
      'a:b_c.socket',
    ])
      expect(unitNameProblem(n), n).toBeNull();
  });
  it('refuses shell, options, spaces, newlines and unknown suffixes', () => {
    for (const n of [
      'x;touch /tmp/p',
      '-h',
      '-h.service',
      '--help.service',
      'a b.service',
      '$(id).service',
      '`id`.service',
      'a\nb.service',
      'a.service\n',
      'nginx',
      'nginx.exe',
      'a/b.service',
      "a'b.service",
      '.service',
      '@x.service',
      '',
      `${'a'.repeat(250)}.service`,
      'ünicode.service',
      'a\0.service',
    ])
      expect(isUnitName(n), JSON.stringify(n)).toBe(false);
  });
});

describe('systemctl list-units', () => {
  it('reads the columns and keeps descriptions with spaces', () => {
    const out = [
      'cron.service                 loaded    active   running Regular background program processing daemon',
      'auditd.service               not-found inactive dead    auditd.service',
      '● failed-thing.service       loaded    failed   failed  Something that failed',
      'sbx-demo.service loaded active running serverbox demo service (logs a line every second)',
      '',
    ].join('\n');
    expect(parseListUnits(out)).toEqual([
      {
        unit: 'cron.service',
        load: 'loaded',
        active: 'active',
        sub: 'running',
        description: 'Regular background program processing daemon',
      },
      { unit: 'auditd.service', load: 'not-found', active: 'inactive', sub: 'dead', description: 'auditd.service' },
      {
        unit: 'failed-thing.service',
        load: 'loaded',
        active: 'failed',
        sub: 'failed',
        description: 'Something that failed',
      },
      {
        unit: 'sbx-demo.service',
        load: 'loaded',
        active: 'active',
        sub: 'running',
        description: 'serverbox demo service (logs a line every second)',
      },
    ]);
  });
  it('treats the output as untrusted: skips junk, bounds fields, strips control characters', () => {
    const out = [
      'UNIT LOAD ACTIVE SUB DESCRIPTION', // a legend line: UNIT is not a unit name
      '$(id).service loaded active running evil',
      'x.service LOADED active running upper-case state',
      `ok.service loaded active running \u001b[31mred\u001b[0m\u0007 ${'d'.repeat(1000)}`,
      'ok.service loaded inactive dead duplicate',
      'short.service loaded',
    ].join('\n');
    const rows = parseListUnits(out);
    expect(rows.map((r) => r.unit)).toEqual(['ok.service']);
    expect(rows[0]?.description.startsWith('red ')).toBe(true);
    expect(rows[0]?.description.length).toBeLessThanOrEqual(256);
  });
  it('caps the number of rows', () => {
    const out = Array.from({ length: 50 }, (_, i) => `u${i}.service loaded active running x`).join('\n');
    expect(parseListUnits(out, 10)).toHaveLength(10);
  });
});

describe('systemctl list-unit-files', () => {
  it('maps units to their enablement, with or without the preset column', () => {
    const out = [
      'apt-daily.service                      static          -',
      'cron.service                           enabled         enabled',
      'getty@.service                         enabled',
      'sbx-demo.service                       disabled        enabled',
      'garbage line with too many words here',
      '$(x).service enabled enabled',
    ].join('\n');
    expect(Object.fromEntries(parseUnitFiles(out))).toEqual({
      'apt-daily.service': 'static',
      'cron.service': 'enabled',
      'getty@.service': 'enabled',
      'sbx-demo.service': 'disabled',
    });
  });
});

describe('systemctl show', () => {
  it('keeps the properties asked for, first value wins, values cleaned', () => {
    const out = [
      'Id=sbx-demo.service',
      'ActiveState=active',
      'ActiveState=failed',
      'MainPID=123',
      'ExecMainStartTimestamp=Sun 2026-11-22 07:53:51 UTC',
      'MemoryCurrent=[not set]',
      'Description=evil\u001b[2Jdemo',
      'SomethingElse=1',
      'junk',
      '=x',
    ].join('\n');
    expect(parseShow(out)).toEqual({
      Id: 'sbx-demo.service',
      ActiveState: 'active',
      MainPID: '123',
      ExecMainStartTimestamp: 'Sun 2026-11-22 07:53:51 UTC',
      MemoryCurrent: '[not set]',
      Description: 'evildemo',
    });
  });
  it('reads numbers, not sentinels', () => {
    expect(numberOf('123')).toBe(123);
    expect(numberOf('[not set]')).toBeNull();
    expect(numberOf('18446744073709551615')).toBeNull();
    expect(numberOf(undefined)).toBeNull();
    expect(numberOf('-1')).toBeNull();
  });
});

describe('journal lines', () => {
  it('splits chunks into lines and keeps the unfinished tail', () => {
    const s = lineSplitter();
    expect(s.push('a\nb')).toEqual(['a']);
    expect(s.push('c\r\nd\n')).toEqual(['bc', 'd']);
    expect(s.push('e')).toEqual([]);
    expect(s.flush()).toEqual(['e']);
  });
  it('cuts an overlong line once and drops its rest', () => {
    const s = lineSplitter(10);
    const first = s.push('x'.repeat(25));
    expect(first).toHaveLength(1);
    expect(first[0]?.length).toBe(10);
    expect(s.push('y'.repeat(5))).toEqual([]);
    expect(s.push('\nnext\n')).toEqual(['next']);
  });
  it('removes terminal control sequences', () => {
    expect(clean('\u001b]0;title\u0007ok\u001b[1mbold', 100)).toBe(']0;titleokbold');
  });
});
