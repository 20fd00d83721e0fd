import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { locationOf } from '../../domain/shortLinks.js';
import { errors } from '../apiError.js';
import type { AppDeps } from '../appDeps.js';
import { ErrorSchema, ShortLinkParamsSchema } from '../schemas.js';

export interface ShortLinkRouteOptions extends AppDeps {
  /** The path of the short link base, outside /api/v1 (spec §5.11). */
  basePath: string;
}

/**
 * `GET {shortLinkBase}/{slug}` (spec §5.11): 302 to the original URL; the click is recorded in the
 * message's timeline and triggers the `click` callback.
 */
export async function shortLinkRoutes(app: FastifyInstance, { store, clock, basePath }: ShortLinkRouteOptions): Promise<void> {
  app.get<{ Params: Static<typeof ShortLinkParamsSchema> }>(
    `${basePath.replace(/\/+$/, '')}/:slug`,
    {
      schema: {
        summary: 'Follow a short link',
        params: ShortLinkParamsSchema,
        response: { 302: Type.Null({ description: 'Location: the original URL' }), 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { slug } = request.params;
      const link = await store.messages.followShortLink(slug);
      if (!link) throw errors.notFound();
      // Encoded before the click is recorded: a header Node refuses would fail the answer after the click counted.
      const location = locationOf(link.url);
      const now = clock.now();
      await store.engine.apply([{ uuid: link.uuid, source: 'short link', report: { kind: 'click', at: now, url: link.url } }], now);
      return reply.code(302).header('location', location).send();
    },
  );
}
