/**
 * The inversify kemu composes machines with. Every kemu module imports it
 * from here, and src/index.ts hands it to plug-ins, so there is one copy. In
 * dist/ the build (scripts/build.mjs) replaces this module with inversify
 * bundled into one file: Node then loads one module instead of inversify's
 * 246, about 0.12 s of CPU less at every start (docs/scaling.md).
 */
export { Container, ContainerModule, inject, injectable, injectFromBase, multiInject, optional } from 'inversify';
export type { Newable } from 'inversify';
