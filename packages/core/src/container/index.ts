export * from './reference.ts';
export * from './tags.ts';
export * from './registry.ts';
export * from './promote.ts';
export * from './docker.ts';
export * from './build.ts';
