import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// Hooks may apt-install PostgreSQL on a fresh machine before starting a server.
export default mergeConfig(shared, defineConfig({ test: { hookTimeout: 600_000 } }));
