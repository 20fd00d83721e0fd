/**
 * The WhatsApp webhook door (README "WHATSAPP over the Cloud API"), outside /api/v1 and outside the API keys: Meta
 * proves itself with the verify token (the subscription check) and with `X-Hub-Signature-256` on every POST,
 * checked on the body's bytes as received. A POST is answered 200 only once what it says is written.
 */
import type { FastifyInstance } from 'fastify';
import { applyInGroups } from '../../service/applyInGroups.js';
import { takeWhatsAppWebhook, type WebhookNumber } from '../../service/whatsappWebhook.js';
import { readWebhook } from '../../whatsapp/graphShapes.js';
import { hasValidSignature, sameSecret } from '../../whatsapp/signature.js';
import type { AppDeps } from '../appDeps.js';
import { jsonOfRawBody, keepRawBodies, rawBodyOf } from '../rawBody.js';

export const WHATSAPP_WEBHOOK_PATH = '/webhooks/whatsapp';

/** Meta sends batches of at most a few hundred KiB; a larger body is not Meta's. */
const WEBHOOK_BODY_LIMIT = 3 * 1024 * 1024;

export async function whatsappWebhookRoutes(app: FastifyInstance, { store, config, clock }: AppDeps): Promise<void> {
  const numbers = config.whatsapp.senders;
  const applyReports = applyInGroups((reports, now) => store.engine.apply(reports, now), () => clock.now());
  keepRawBodies(app, WEBHOOK_BODY_LIMIT);

  app.get<{ Querystring: Record<string, string | undefined> }>(WHATSAPP_WEBHOOK_PATH, { schema: { hide: true } }, async (request, reply) => {
    const { 'hub.mode': mode, 'hub.verify_token': token, 'hub.challenge': challenge } = request.query;
    const known = typeof token === 'string' && numbers.some((n) => sameSecret(n.verifyToken, token));
    if (mode !== 'subscribe' || !known || typeof challenge !== 'string' || challenge.length > 1024) {
      return reply.code(403).type('text/plain').send('Forbidden');
    }
    return reply.code(200).type('text/plain').send(challenge);
  });

  app.post(WHATSAPP_WEBHOOK_PATH, { schema: { hide: true } }, async (request, reply) => {
    const raw = rawBodyOf(request);
    const header = request.headers['x-hub-signature-256'];
    const signature = typeof header === 'string' ? header : undefined;
    // One HMAC per app secret, not per number: several numbers of one app share it.
    const signers = new Map<string, boolean>();
    const signedNumbers = new Map<string, WebhookNumber>();
    for (const number of numbers) {
      let valid = signers.get(number.appSecret);
      if (valid === undefined) signers.set(number.appSecret, (valid = hasValidSignature(number.appSecret, raw, signature)));
      if (valid) signedNumbers.set(number.phoneNumberId, number);
    }
    if (signedNumbers.size === 0) return reply.code(401).send({ error: 'X-Hub-Signature-256 is missing or is not the signature of this body' });

    const webhook = readWebhook(jsonOfRawBody(raw));
    if (webhook === null) {
      request.log.warn({ bytes: raw.length }, 'a signed WhatsApp webhook that is not shaped as Meta documents it: refused, Meta will send it again');
      return reply.code(400).send({ error: 'not a WhatsApp webhook body' });
    }
    const taken = await takeWhatsAppWebhook(store, applyReports, webhook, signedNumbers, config.whatsapp.prices, clock.now());
    request.log.debug(taken, 'WhatsApp webhook taken');
    return reply.code(200).type('text/plain').send('OK');
  });
}
