#!/usr/bin/env node
/**
 * Entry point of the `kemu` command (package.json "bin", `npm start`): the CLI
 * from src/cli, loading the built-in catalog as its first plug-in. The
 * command runs in a worker thread this one supervises (src/cli/supervisor.ts),
 * so that a task looping with no scheduling point cannot hang the process.
 * Call traces name the .ts files through the modules' source maps, which
 * src/kernel/sched/call-trace.ts reads itself, only for the frames it shows.
 * V8 is tuned for searching before the worker starts (young-generation.ts).
 */
import { superviseCommand } from '../src/cli/supervisor.js';
import { tuneProcessForSearch } from '../src/explore/young-generation.js';

tuneProcessForSearch();

// A reader that closes the pipe early (`kemu run abba | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await superviseCommand(process.argv.slice(2), [new URL('../catalog/builtin.js', import.meta.url).href]);
