/**
 * The VK webhook door (README "VK"), outside /api/v1 and outside the API keys:
 * - `POST /webhooks/vk/<profile>`: a provider's status callbacks, accepted only with the HMAC-SHA256 of the exact
 *   body with the profile's callback secret (else 401);
 * - `POST /webhooks/vk/community`: VK's Callback API for the communities of `vk.senders`: the `confirmation` check
 *   answered with the community's code, every other event only with its `secret` (else 401), answered `ok`.
 * Either is answered only once what it says is written.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { applyInGroups } from '../../service/applyInGroups.js';
import { takeCommunityEvent, takeProviderCallbacks } from '../../service/vkWebhook.js';
import { COMMUNITY_WEBHOOK_NAME, readCallbackEvent } from '../../vk/callbackEvents.js';
import { readStatusCallbacks } from '../../vk/providerProfile.js';
import { hasValidProviderSignature } from '../../vk/signature.js';
import { sameSecret } from '../../whatsapp/signature.js';
import type { AppDeps } from '../appDeps.js';
import { jsonOfRawBody, keepRawBodies, rawBodyOf } from '../rawBody.js';

export const VK_WEBHOOK_PATH = '/webhooks/vk';

/** A provider posts callbacks in batches of at most a few MiB; a larger body is not a provider's. */
const WEBHOOK_BODY_LIMIT = 4 * 1024 * 1024;

export async function vkWebhookRoutes(app: FastifyInstance, { store, config, clock }: AppDeps): Promise<void> {
  const applyReports = applyInGroups((reports, now) => store.engine.apply(reports, now), () => clock.now());
  const communities = new Map(config.vk.senders.flatMap((s) => (s.adapter === 'community' && s.groupId !== null ? [[s.groupId, s] as const] : [])));
  keepRawBodies(app, WEBHOOK_BODY_LIMIT);

  const text = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/plain').send(body);

  app.post<{ Params: { profile: string } }>(`${VK_WEBHOOK_PATH}/:profile`, { schema: { hide: true } }, async (request, reply) => {
    const raw = rawBodyOf(request);
    const { profile } = request.params;
    if (profile === COMMUNITY_WEBHOOK_NAME) {
      const event = readCallbackEvent(jsonOfRawBody(raw));
      if (!event) return text(reply, 400, 'not a VK Callback API event');
      const sender = communities.get(String(event.group_id));
      if (!sender) return text(reply, 403, 'no vk.senders community has this group_id');
      if (event.type === 'confirmation') return text(reply, 200, sender.confirmationCode ?? '');
      if (event.secret === undefined || !sameSecret(event.secret, sender.callbackSecret ?? '')) return text(reply, 401, 'the secret is missing or wrong');
      const taken = await takeCommunityEvent(store.vk, applyReports, sender.groupId!, event, clock.now());
      request.log.debug({ groupId: sender.groupId, type: event.type, taken }, 'VK community event taken');
      return text(reply, 200, 'ok');
    }
    const provider = Object.hasOwn(config.vk.providers, profile) ? config.vk.providers[profile]! : undefined;
    if (!provider) return reply.code(404).send({ error: `no vk.providers profile "${profile}"` });
    const header = request.headers[provider.signatureHeader.toLowerCase()];
    if (!hasValidProviderSignature(provider.callbackSecret, raw, typeof header === 'string' ? header : undefined)) {
      return reply.code(401).send({ error: `${provider.signatureHeader} is missing or is not the signature of this body` });
    }
    const callbacks = readStatusCallbacks(jsonOfRawBody(raw), provider.fieldNames);
    if (!callbacks) {
      request.log.warn({ profile, bytes: raw.length }, 'a signed VK provider callback not shaped as the profile says: refused');
      return reply.code(400).send({ error: 'not a status callback of the provider profile' });
    }
    const taken = await takeProviderCallbacks(applyReports, profile, callbacks);
    request.log.debug({ profile, ...taken }, 'VK provider callbacks taken');
    return text(reply, 200, 'OK');
  });
}
