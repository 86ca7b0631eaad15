#!/usr/bin/env node
/**
 * Entry point of the `kemu` command (package.json "bin", `npm start`): the CLI
 * from src/cli, loading the built-in catalog as its first plug-in. The
 * command runs in a worker thread this one supervises (src/cli/supervisor.ts),
 * so that a task looping with no scheduling point cannot hang the process.
 *
 * Source maps go on first, so that call traces in reports, --json and the
 * HTML page name the .ts files and lines however kemu is started (the
 * installed bin, `node dist/bin/kemu.js`). Node maps only the modules loaded
 * after the switch, hence the dynamic imports.
 */
process.setSourceMapsEnabled(true);

const { superviseCommand } = await import('../src/cli/supervisor.js');

// A reader that closes the pipe early (`kemu run abba | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await superviseCommand(process.argv.slice(2), [new URL('../catalog/builtin.js', import.meta.url).href]);
