// vitest maps only the modules it transforms: inlining kemu makes its call-trace frames name .ts lines too.
import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { server: { deps: { inline: ['kemu'] } } } });
