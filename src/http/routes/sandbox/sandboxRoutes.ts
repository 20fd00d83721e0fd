/**
 * The sandbox's own API (`/sandbox/…`, issue #15): what the console uses and tests drive. Registered only by
 * `serve --sandbox`, which listens on loopback only; every route still needs the account's API key (type 1), so one
 * account's sandbox data is never another's. Each group is a plugin of its own file.
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../appDeps.js';
import { sandboxForceRoutes } from './force.js';
import { sandboxInboxRoutes } from './inbox.js';
import { sandboxMediaRoutes } from './media.js';

export const SANDBOX_PREFIX = '/sandbox';

export async function sandboxRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(sandboxForceRoutes, { ...deps, prefix: SANDBOX_PREFIX });
  await app.register(sandboxInboxRoutes, { ...deps, prefix: SANDBOX_PREFIX });
  await app.register(sandboxMediaRoutes, { ...deps, prefix: SANDBOX_PREFIX });
}
