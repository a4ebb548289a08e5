// What scripts/test-env.sh exports (source it first: `. scripts/test-env.sh`).

export function requireEnv(name: 'TEST_PG_URL' | 'TEST_REDIS_URL' | 'CHROMIUM_PATH'): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run \`. scripts/test-env.sh\` from the repository root first`);
  }
  return value;
}
