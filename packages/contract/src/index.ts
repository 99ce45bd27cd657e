export * from './scopes.ts';
export * from './errors.ts';
export * from './models.ts';
export * from './management.ts';
