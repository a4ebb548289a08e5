import { auditContext } from '../../platform/audit-context.js';
import type { Database } from '../../platform/db/client.js';
import type { AuditService } from './audit.service.js';

/**
 * The database handed to services: its transactions append the current request's audit
 * row (if one is open and not yet written) just before they commit, so a change and its
 * record stand or fall together. Requests that change nothing in a transaction are
 * recorded by the tRPC middleware afterwards.
 */
export function withAuditedTransactions(db: Database, audit: Pick<AuditService, 'record'>): Database {
  const wrapped = Object.create(db) as Database;
  wrapped.transaction = (async (fn: (tx: Database) => Promise<unknown>, config?: unknown) => {
    const scope = auditContext.getStore();
    let recordedHere = false;
    try {
      return await db.transaction(async (tx) => {
        const result = await fn(tx as Database);
        if (scope && !scope.recorded) {
          await audit.record(scope, 'success', tx as Database);
          recordedHere = true;
        }
        return result;
      }, config as never);
    } catch (err) {
      if (scope && recordedHere) {
        // The commit failed: the row went with it, so the middleware must write one.
        scope.recorded = false;
        scope.afterCommit = [];
      }
      throw err;
    }
  }) as Database['transaction'];
  return wrapped;
}
