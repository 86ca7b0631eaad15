/**
 * `node --import ./module-log.mjs …`: appends the URL of every module the
 * process loads to the file KEMU_MODULE_LOG names, as each loads, so a test
 * can say what a command imported (test/cli/startup.test.ts).
 */
import { register } from 'node:module';

const hook = `import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function load(url, context, next) { appendFileSync(file, url + '\\n'); return next(url, context); }`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url, { data: { file: process.env.KEMU_MODULE_LOG } });
