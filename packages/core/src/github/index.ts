export * from './token.ts';
export * from './errors.ts';
export * from './client.ts';
export * from './promotion.ts';
export * from './promotion-plan.ts';
export * from './tested-head.ts';
export * from './verify-promotion.ts';
export * from './verify-promotion-run.ts';
