import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../appDeps.js';

/** (being built) */
export async function sandboxMediaRoutes(_api: FastifyInstance, _deps: AppDeps): Promise<void> {}
