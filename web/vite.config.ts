import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console talks to the API on the same origin; in development Vite forwards `/api` (and the
// public plate pages under `/plate`) to the server (JIAYUAN_API, default http://localhost:8080).
// `npm run build` writes web/dist, which the server serves at `/`.
const api = process.env.JIAYUAN_API ?? 'http://localhost:8080';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: true },
      // The public page a plate's QR opens is rendered by the server.
      '/plate': { target: api, changeOrigin: true },
    },
  },
  preview: {
    proxy: {
      '/api': { target: api, changeOrigin: true },
      '/plate': { target: api, changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // antd is one large vendor chunk by nature; pages are split with React.lazy.
    chunkSizeWarningLimit: 1500,
  },
});
