/**
 * "Force what happens next" (issue #15 item 6) as an HTTP API, under /sandbox (sandboxRoutes.ts):
 * `POST /sandbox/messages/{uuid}/{deliver|undeliver|read|unread|click|expire}` answers the message object after the
 * forced carrier report (the view of GET /api/v1/message/{uuid}); 409 4091 when the outcome cannot be forced in the
 * message's status (domain/sandboxActions.ts says why); 404 for a message of another account. `POST /sandbox/inbound`:
 * the subscriber writes (service/sandboxForce.ts). Every route needs a type-1 key, like /api/v1/message.
 */
import { Type, type Static, type TObject } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { messageView } from '../../../domain/messageView.js';
import { MSISDN_PATTERN } from '../../../domain/msisdn.js';
import type { SandboxAction } from '../../../domain/sandboxActions.js';
import { STORABLE_TEXT_PATTERN } from '../../../domain/textRules.js';
import { forceOutcome, subscriberWrites, type ForceOptions, type ForceResult } from '../../../service/sandboxForce.js';
import { errors } from '../../apiError.js';
import type { AppDeps } from '../../appDeps.js';
import { authErrors, ErrorSchema, MessageSchema, MessageUuidParamsSchema, SANDBOX_TAG } from '../../schemas.js';


// The request shapes of this group, beside their routes (schemas.ts style: the schema checks, types and documents).
const SandboxUndeliverSchema = Type.Object({
  errorCode: Type.Optional(
    Type.Integer({
      description:
        'A §13 code that goes with undelivered on the channel: SMS 11, 127, 453–458, 501–506, 508–510 (default 501); VOICECODE 127, 501, 601–604 (default 602); FLASHCALL those and 453, 454 (default 602); WHATSAPP and VK 127, 612, 613, 615 (default 612)',
    }),
  ),
});

const SandboxClickSchema = Type.Object({
  url: Type.Optional(Type.String({ description: 'One of the short links in the message text; default: its first' })),
});

const SandboxInboundSchema = Type.Object({
  channelType: Type.Union([Type.Literal('SMS'), Type.Literal('WHATSAPP')]),
  from: Type.String({ pattern: MSISDN_PATTERN, description: "The subscriber's number (§2.3)" }),
  to: Type.String({ minLength: 1, maxLength: 64, pattern: STORABLE_TEXT_PATTERN, description: 'An approved sender name of the account on the channel' }),
  text: Type.String({ minLength: 1, maxLength: 4096, pattern: STORABLE_TEXT_PATTERN }),
});

const sandboxAuth = { keyTypes: [1] } as const;

const SUMMARIES: Record<SandboxAction, string> = {
  deliver: 'Force delivered (a message sent)',
  undeliver: 'Force undelivered with a §13 code (a message sent)',
  read: 'Force read (WHATSAPP, VK: a message sent or delivered)',
  unread: 'Force unread (WHATSAPP, VK: a message delivered; sent on a VK community)',
  click: 'Force a click on a short link of the message',
  expire: "End the message's lifetime now (§5.7)",
};

/** The actions with a body, which must then be JSON (`{}` takes the defaults; none at all is 400 4000, §3.4); the others take none. */
const BODIES: Partial<Record<SandboxAction, TObject>> = { undeliver: SandboxUndeliverSchema, click: SandboxClickSchema };

const ACTIONS = Object.keys(SUMMARIES) as SandboxAction[];

export async function sandboxForceRoutes(api: FastifyInstance, { store, config, clock }: AppDeps): Promise<void> {
  for (const action of ACTIONS) {
    const body = BODIES[action];
    api.post<{ Params: Static<typeof MessageUuidParamsSchema>; Body: ForceOptions | undefined }>(
      `/messages/:messageUuid/${action}`,
      {
        config: { auth: sandboxAuth },
        schema: {
          tags: [SANDBOX_TAG],
          summary: SUMMARIES[action],
          params: MessageUuidParamsSchema,
          ...(body ? { body } : {}),
          response: { 200: MessageSchema, 409: ErrorSchema, ...(body ? { 400: ErrorSchema, 422: ErrorSchema } : {}), ...authErrors },
        },
      },
      async (request) => {
        const options: ForceOptions = {};
        if (body && request.body) {
          if (request.body.errorCode !== undefined) options.errorCode = request.body.errorCode;
          if (request.body.url !== undefined) options.url = request.body.url;
        }
        const result = await forceOutcome(store, request.principal.accountId, request.params.messageUuid, action, options, clock.now());
        return messageView(answer(result));
      },
    );
  }

  api.post<{ Body: Static<typeof SandboxInboundSchema> }>(
    '/inbound',
    {
      config: { auth: sandboxAuth },
      schema: {
        tags: [SANDBOX_TAG],
        summary: 'The subscriber writes: an inbound SMS or WHATSAPP message (WHATSAPP: opens the 24-hour window)',
        body: SandboxInboundSchema,
        response: { 200: MessageSchema, 400: ErrorSchema, 422: ErrorSchema, ...authErrors },
      },
    },
    async (request) => {
      const account = await store.accounts.byId(request.principal.accountId);
      if (!account) throw errors.notFound();
      const result = await subscriberWrites(store, account, config.whatsapp.senders, request.body, clock.now());
      if (!result.ok) throw errors.invalid(`Invalid ${result.field}`);
      return messageView(result.message);
    },
  );
}

function answer(result: ForceResult) {
  if (result.ok) return result.message;
  if (result.error === 'notFound') throw errors.notFound();
  if (result.error === 'invalid') throw errors.invalid(`Invalid ${result.field}`);
  throw errors.notPossibleNow(result.reason);
}
