// Writes src/routeTree.gen.ts (git-ignored) without building: the TanStack Router plugin
// generates it while Vite resolves its config, and tsc needs it before any build has run.
import { fileURLToPath } from 'node:url';
import { resolveConfig } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
await resolveConfig({ root, configFile: `${root}vite.config.ts`, logLevel: 'warn' }, 'build');
