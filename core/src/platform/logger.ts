import { pino } from 'pino';

export type Logger = pino.Logger;

// Secrets never reach the log: cookies, tokens and passwords are redacted wherever they appear.
const redact = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.passwordHash',
];

export function createLogger(opts: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino({ level: opts.level, redact, base: { svc: 'serverbox-core' } }, opts.destination);
}
