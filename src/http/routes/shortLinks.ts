import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { locationOf } from '../../domain/shortLinks.js';
import { errors } from '../apiError.js';
import type { AppDeps } from '../app.js';
import { ErrorSchema } from '../schemas.js';

/**
 * `GET {shortLinkBase}/{slug}` (spec §5.11): 302 to the original URL; the click is recorded in the
 * message's timeline and triggers the `click` callback.
 */
export function registerShortLinkRoute(app: FastifyInstance, { store, clock }: AppDeps, basePath: string): void {
  app.get(
    `${basePath.replace(/\/+$/, '')}/:slug`,
    {
      schema: {
        summary: 'Follow a short link',
        params: Type.Object({ slug: Type.String() }),
        response: { 302: Type.Null({ description: 'Location: the original URL' }), 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { slug } = request.params as { slug: string };
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
