import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The inbox, built into dist/web and served by Finch itself at `/`. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  base: '/',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    assetsDir: 'assets',
  },
  server: {
    // `npx vite web` during development: the API is Finch's.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
