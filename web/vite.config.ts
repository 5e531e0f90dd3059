import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The C server embeds dist/ and serves it from its root, so assets live under /assets/.
// During development `CRM_API=http://127.0.0.1:PORT npm run dev` proxies the API to a running `crm serve`.
declare const process: { env: Record<string, string | undefined> };
const api = process.env.CRM_API || 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { '/api': api, '/healthz': api },
  },
  preview: {
    proxy: { '/api': api, '/healthz': api },
  },
});
