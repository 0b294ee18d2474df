import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the gateway at /console (GATEWAY_CONSOLE_DIR points at dist/). `pnpm dev` proxies the
// API to a running `pnpm start`, so the dev server behaves like the gateway's origin.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // One vendor chunk for React and the router: it changes less often than the app.
    rollupOptions: {
      output: {
        manualChunks: (id) => (id.includes('node_modules') ? 'vendor' : undefined),
      },
    },
  },
  server: {
    proxy: {
      '/graphql': 'http://localhost:4000',
      '/console/dev-login': 'http://localhost:4000',
    },
  },
});
