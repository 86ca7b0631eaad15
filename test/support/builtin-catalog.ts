/**
 * The built-in catalog assembled as the command assembles it, for tests that
 * resolve a target without running the command (the report views' tests).
 */
import builtin from '../../catalog/builtin.js';
import { assembleCatalog } from '../../src/machine/plugin.js';
import { BUILTIN } from './run-kemu.js';

export const builtinCatalog = assembleCatalog([{ source: BUILTIN, plugin: builtin }]);
