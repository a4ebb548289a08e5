import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/client.js';
import { recoveryCodes, settings, users } from './access.tables.js';

export function createTwoFactorRepository(db: Database) {
  return {
    async state(userId: string) {
      const [row] = await db
        .select({
          email: users.email,
          role: users.role,
          secretEnc: users.totpSecretEnc,
          pendingEnc: users.totpPendingEnc,
          enabledAt: users.totpEnabledAt,
          lastStep: users.totpLastStep,
        })
        .from(users)
        .where(eq(users.id, userId));
      return row ?? null;
    },
    async setPending(userId: string, pendingEnc: string | null) {
      await db.update(users).set({ totpPendingEnc: pendingEnc }).where(eq(users.id, userId));
    },
    async enable(tx: Database, userId: string, secretEnc: string, step: number, codeHashes: string[]) {
      await tx
        .update(users)
        .set({ totpSecretEnc: secretEnc, totpPendingEnc: null, totpEnabledAt: sql`now()`, totpLastStep: step })
        .where(eq(users.id, userId));
      await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
      await tx.insert(recoveryCodes).values(codeHashes.map((codeHash) => ({ userId, codeHash })));
    },
    async disable(tx: Database, userId: string) {
      await tx
        .update(users)
        .set({ totpSecretEnc: null, totpPendingEnc: null, totpEnabledAt: null, totpLastStep: null })
        .where(eq(users.id, userId));
      await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    },
    /** Records an accepted step only if it is newer than the last one (no code works twice). */
    async acceptStep(userId: string, step: number): Promise<boolean> {
      const rows = await db
        .update(users)
        .set({ totpLastStep: step })
        .where(and(eq(users.id, userId), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
        .returning({ id: users.id });
      return rows.length === 1;
    },
    async useRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
      const rows = await db
        .update(recoveryCodes)
        .set({ usedAt: sql`now()` })
        .where(
          and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)),
        )
        .returning({ id: recoveryCodes.id });
      return rows.length === 1;
    },
    async recoveryCodesLeft(userId: string): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(recoveryCodes)
        .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
      return row?.n ?? 0;
    },
    async getSetting(key: string): Promise<unknown> {
      const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
      return row?.value ?? null;
    },
    async putSetting(tx: Database, key: string, value: unknown) {
      await tx
        .insert(settings)
        .values({ key, value })
        .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: sql`now()` } });
    },
  };
}
export type TwoFactorRepository = ReturnType<typeof createTwoFactorRepository>;
