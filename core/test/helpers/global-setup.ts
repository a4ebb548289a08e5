import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/platform/db/client.js';
import { adminUrl, databaseUrl } from './env.js';
import { sweepSshd } from './sshd.mjs';

// One migrated template database per run; every test file clones it (CREATE DATABASE ...
// TEMPLATE), which is much faster than migrating each time.

export default async function setup(project: TestProject) {
  // sshd test nodes left by a run whose worker died (SIGKILL, crash) would run forever.
  sweepSshd();
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  const template = `sb_template_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`create database ${template}`);
  const handle = await openDatabase({ url: databaseUrl(template), dataDir: '/nonexistent' });
  await handle.migrate();
  await handle.close();
  project.provide('templateDb', template);
  return async () => {
    await admin.unsafe(`drop database if exists ${template} with (force)`);
    await admin.end();
    sweepSshd(); // the workers have exited by now, so every node they left is an orphan
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
  }
}
