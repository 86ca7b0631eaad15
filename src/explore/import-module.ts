/**
 * Importing a user's module by URL, in any thread: a JavaScript module as it
 * is, and a TypeScript one as it is where the runtime can import .ts
 * (vitest, a Node that strips types), otherwise through tsx, an optional
 * peer dependency, registered for this thread on first need.
 */
import { fileURLToPath } from 'node:url';
import { KemuError } from '../kernel/errors.js';

let tsxRegistered = false;

async function importTypeScript(url: string, what: string): Promise<unknown> {
  if (!tsxRegistered) {
    let tsx: { register(): unknown };
    try {
      tsx = await import('tsx/esm/api');
    } catch {
      throw new KemuError('bad-usage', `cannot load ${what} ${fileURLToPath(url)}: it is TypeScript, and loading TypeScript ` +
        'needs tsx next to kemu (npm install --save-dev tsx); or compile it to JavaScript');
    }
    tsx.register();
    tsxRegistered = true;
  }
  // The failed plain import stays in the module map under its URL: import the module again under another.
  return await import(`${url}?tsx`);
}

/** Imports the module at `url` (`what` it is, for the error when TypeScript cannot be loaded). */
export async function importModule(url: string, what: string): Promise<unknown> {
  try {
    return await import(url);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    return await importTypeScript(url, what);
  }
}
