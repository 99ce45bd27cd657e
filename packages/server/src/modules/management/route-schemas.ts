import { ProblemSchema } from '@latchkey/contract';
import { Type, type TSchema } from '@sinclair/typebox';

/** Every route's responses: its successes, and the one problem shape for every error (documented once here). */
export function responses<T extends Record<number, TSchema>>(ok: T): T & { '4xx': typeof ProblemSchema; '5xx': typeof ProblemSchema } {
  return { ...ok, '4xx': ProblemSchema, '5xx': ProblemSchema };
}

export const NoContent = Type.Null({ description: 'No content' });

export const EnvParams = Type.Object({ env: Type.String({ minLength: 1, maxLength: 200 }) });
export const IntegrationParams = Type.Object({
  env: EnvParams.properties.env,
  id: Type.String({ minLength: 1, maxLength: 200, description: "The integration's id or its client id." }),
});
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

/** Routes anyone may call: no credentials in the OpenAPI document either. */
export const PUBLIC = { public: true } as const;
