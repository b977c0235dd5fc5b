export * from './token.ts';
export * from './errors.ts';
export * from './client.ts';
export * from './promotion.ts';
