import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { DOCUMENT_BODY_LIMIT, documentOf, sendDocument } from '../environment-api/json-body.ts';
import { listEnvelope, parseListQuery } from '../environment-api/paging.ts';
import { IdParams, ListQuerySchema, ListSchema, timestamp } from '../environment-api/schemas.ts';
import { linkFrom } from '../environment-api/urls.ts';
import type { Owner, ProjectSummary } from './projects.repository.ts';
import type { ProjectsService } from './projects.service.ts';

/** The bare project GraFx answers (`{id, name, template: {id}}`), plus its two timestamps. */
export const ProjectSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  template: Type.Object({ id: Type.String() }),
  dateCreated: Type.String(),
  lastModified: Type.String(),
});
export type Project = Static<typeof ProjectSchema>;

export function projectItem(row: ProjectSummary): Project {
  return { id: row.id, name: row.name, template: { id: row.template_id }, dateCreated: timestamp(row.created_at), lastModified: timestamp(row.updated_at) };
}

// Unknown fields are ignored, as GraFx does; the known ones are checked.
const CreateBody = Type.Object({ template: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }), name: Type.Optional(Type.String()) });
const PatchBody = Type.Object({ name: Type.String() });

/** Projects belong to the calling integration: other integrations of the environment see none. */
const ownerOf = (request: FastifyRequest): Owner => ({ environmentId: request.principal.environmentId, integrationId: request.principal.integrationId });

/** Projects (`myproject:*`, SPEC §4): bare objects, never wrapped. */
export const projectRoutes: FastifyPluginAsyncTypebox<{ projects: ProjectsService; issuer: string }> = async (app, { projects, issuer }) => {
  app.get(
    '/projects',
    { config: { scope: 'myproject:list' }, schema: { querystring: ListQuerySchema, response: { 200: ListSchema(ProjectSchema) } } },
    async (request) => {
      const list = parseListQuery(request.query, { folders: false });
      const page = await projects.list(ownerOf(request), list);
      return listEnvelope(page.items.map(projectItem), page, list, { issuer, requestUrl: request.url });
    },
  );

  app.post(
    '/projects',
    { config: { scope: 'myproject:write' }, schema: { body: CreateBody, response: { 201: ProjectSchema } } },
    async (request, reply) => {
      const created = await projects.create(ownerOf(request), request.principal.actor, { templateId: request.body.template.id, name: request.body.name });
      return reply.code(201).header('location', linkFrom(issuer, request.url, `/${created.id}`)).send(projectItem(created));
    },
  );

  app.get('/projects/:id', { config: { scope: 'myproject:read' }, schema: { params: IdParams, response: { 200: ProjectSchema } } }, async (request) =>
    projectItem(await projects.get(ownerOf(request), request.params.id)),
  );

  app.patch(
    '/projects/:id',
    { config: { scope: 'myproject:write' }, schema: { params: IdParams, body: PatchBody, response: { 200: ProjectSchema } } },
    async (request) => projectItem(await projects.rename(ownerOf(request), request.principal.actor, request.params.id, request.body)),
  );

  app.delete('/projects/:id', { config: { scope: 'myproject:write' }, schema: { params: IdParams, response: { 200: ProjectSchema } } }, async (request) =>
    projectItem(await projects.delete(ownerOf(request), request.principal.actor, request.params.id)),
  );

  app.get('/projects/:id/document', { config: { scope: 'myproject:read' }, schema: { params: IdParams } }, async (request, reply) =>
    sendDocument(request, reply, await projects.document(ownerOf(request), request.params.id)),
  );

  // SPEC §4: saving the document answers 204 (Studio autosaves; nothing to send back).
  app.put(
    '/projects/:id/document',
    { bodyLimit: DOCUMENT_BODY_LIMIT, config: { scope: 'myproject:write' }, schema: { params: IdParams } },
    async (request, reply) => {
      await projects.saveDocument(ownerOf(request), request.principal.actor, request.params.id, documentOf(request));
      return reply.code(204).send();
    },
  );
};
