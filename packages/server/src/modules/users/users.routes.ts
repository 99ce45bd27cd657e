import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  MemberListSchema,
  MemberSchema,
  MembershipBodySchema,
  UserCreateBodySchema,
  UserListSchema,
  UserPatchBodySchema,
  UserSchema,
} from '@latchkey/contract';
import { Type } from '@sinclair/typebox';
import type { ManagementServices } from '../management/management-services.ts';
import { EnvParams, IdParams, NoContent, responses } from '../management/route-schemas.ts';

const MemberParams = Type.Object({ env: EnvParams.properties.env, userId: Type.String({ minLength: 1, maxLength: 200 }) });

/** People (owners only) and environment memberships (owners manage; members of the environment read). */
export const usersRoutes: FastifyPluginAsyncTypebox<{ management: ManagementServices }> = async (app, { management }) => {
  const { access, users } = management;

  app.get('/users', { schema: { tags: ['People'], summary: 'List users (owners)', response: responses({ 200: UserListSchema }) } }, async (request) => {
    access.requireOwner(request.caller, 'list people');
    return { data: await users.list() };
  });

  app.post(
    '/users',
    { schema: { tags: ['People'], summary: 'Create a user (owners)', body: UserCreateBodySchema, response: responses({ 201: UserSchema }) } },
    async (request, reply) => {
      access.requireOwner(request.caller, 'create people');
      return reply.code(201).send(await users.create(request.body, request.caller.actor));
    },
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags: ['People'],
        summary: "Change a user's email, password or platform role (owners)",
        description: 'A new password ends the user’s sessions. The last owner cannot stop being one (409).',
        params: IdParams,
        body: UserPatchBodySchema,
        response: responses({ 200: UserSchema }),
      },
    },
    async (request) => {
      access.requireOwner(request.caller, 'change people');
      return users.update(request.params.id, request.body, request.caller.actor);
    },
  );

  app.delete(
    '/users/:id',
    { schema: { tags: ['People'], summary: 'Delete a user with their sessions and tokens (owners)', params: IdParams, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      access.requireOwner(request.caller, 'delete people');
      await users.delete(request.params.id, request.caller.actor);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/environments/:env/members',
    { schema: { tags: ['People'], summary: "The environment's members", params: EnvParams, response: responses({ 200: MemberListSchema }) } },
    async (request) => {
      await access.requireEnvironment(request.caller, request.params.env, 'read');
      return { data: await users.members(request.params.env) };
    },
  );

  app.put(
    '/environments/:env/members/:userId',
    {
      schema: {
        tags: ['People'],
        summary: 'Give a user a role in the environment (owners)',
        params: MemberParams,
        body: MembershipBodySchema,
        response: responses({ 200: MemberSchema }),
      },
    },
    async (request) => {
      await access.requireEnvironment(request.caller, request.params.env, 'manage');
      return users.setMembership(request.params.env, request.params.userId, request.body.role, request.caller.actor);
    },
  );

  app.delete(
    '/environments/:env/members/:userId',
    { schema: { tags: ['People'], summary: 'Remove a user from the environment (owners)', params: MemberParams, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      await access.requireEnvironment(request.caller, request.params.env, 'manage');
      await users.removeMembership(request.params.env, request.params.userId, request.caller.actor);
      return reply.code(204).send(null);
    },
  );
};
