import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Browser, outcomeOf, setupAdmin, startCore, type TestCore } from './helpers/core.js';

// Many audited mutations at once from one process: each change commits with its own row,
// seq stays gapless and the chain verifies (a shared "last row" hint once let two appends
// take the same seq).

let core: TestCore;
let admin: Browser;
beforeAll(async () => {
  core = await startCore();
  admin = await setupAdmin(core);
});
afterAll(() => core.close());

it('records concurrent mutations without losing or duplicating a row', async () => {
  const before = (await admin.client.audit.verify.mutate()).lastSeq;
  const outcomes = await Promise.all(
    Array.from({ length: 25 }, (_, i) =>
      outcomeOf(admin.client.users.invite.mutate({ email: `many${i}@example.com`, role: 'viewer' })),
    ),
  );
  expect(outcomes.every((o) => o === 'OK')).toBe(true);
  const v = await admin.client.audit.verify.mutate();
  expect(v.ok).toBe(true);
  const rows = await admin.client.audit.list.query({ action: 'users.invite', limit: 100 });
  expect(rows.rows.filter((r) => r.outcome === 'success')).toHaveLength(25);
  // 25 invites + the verify call recorded in between.
  expect(v.lastSeq - (before ?? 0)).toBeGreaterThanOrEqual(26);
});
