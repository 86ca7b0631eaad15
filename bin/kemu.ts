#!/usr/bin/env node
/**
 * Entry point of the `kemu` command (package.json "bin", `npm start`): the CLI
 * from src/cli with the built-in catalog.
 */
import { main } from '../src/cli/main.js';
import { builtinCatalog } from '../catalog/builtin.js';

// A reader that closes the pipe early (`kemu run abba | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2), builtinCatalog);
