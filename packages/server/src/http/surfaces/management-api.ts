// Placeholder written by the lead so the wiring type-checks; the management API work replaces this file.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.ts';

export async function managementApiSurface(_app: FastifyInstance, _options: { services: Services }): Promise<void> {}
