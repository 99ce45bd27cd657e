import { randomBase62 } from './encoding.ts';

/** Opaque, stable ids. Prefixes make logs and support tickets readable. */
export const newIntegrationId = () => `int_${randomBase62(22)}`;
export const newSecretId = () => `sec_${randomBase62(22)}`;
/** A Client ID: 32 base62 characters, public. */
export const newClientId = () => randomBase62(32);
export const newJti = () => randomBase62(24);
export const newKid = () => randomBase62(16);
