import { tanstackRouter } from '@tanstack/router-plugin/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  // The router plugin must come before the React plugin: it writes src/routeTree.gen.ts
  // and splits route components into lazy chunks.
  plugins: [tanstackRouter({ target: 'react', autoCodeSplitting: true }), react()],
  server: {
    proxy: {
      '/trpc': { target: 'http://localhost:3000', changeOrigin: false },
      // The audit export and public key are plain HTTP; /audit itself is a dashboard page.
      '^/audit/(export|public-key)': { target: 'http://localhost:3000', changeOrigin: false },
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
