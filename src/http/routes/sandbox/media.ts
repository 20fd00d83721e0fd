/**
 * The sandbox's media (issue #15 items 5 and 8): the audio a VOICECODE call plays, the caller ID a FLASHCALL call
 * presents, and the simulator's magic numbers.
 */
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { flashcallCallerId } from '../../../domain/callOutcomes.js';
import { magicNumberTable } from '../../../sandboxMagicNumbers.js';
import fresh from 'fresh';
import parseRange from 'range-parser';
import { CALL_AUDIO_SAMPLE_RATE, voicecodeAudioTag, voicecodeCallAudio, voicecodeParts } from '../../../service/voicecodeAudio.js';
import { speechOfSettings } from '../../../voice/voicecodeSpeech.js';
import { encodeWav } from '../../../voice/wav.js';
import { errors } from '../../apiError.js';
import type { AppDeps } from '../../appDeps.js';
import { listeningOrigin } from '../../origin.js';
import {
  authErrors,
  MessageUuidParamsSchema,
  SandboxCallerIdSchema,
  SandboxMagicNumbersSchema,
  SandboxVoicecodeAudioSchema,
  SANDBOX_TAG,
} from '../../schemas.js';

const sandboxAuth = { keyTypes: [1] } as const;
type UuidParams = { Params: Static<typeof MessageUuidParamsSchema> };

export async function sandboxMediaRoutes(api: FastifyInstance, { store, config }: AppDeps): Promise<void> {
  const speech = speechOfSettings(config.voice);

  api.get<UuidParams>(
    '/messages/:messageUuid/audio.wav',
    {
      config: { auth: sandboxAuth },
      schema: {
        tags: [SANDBOX_TAG],
        summary: 'The audio a VOICECODE call plays, as WAV',
        params: MessageUuidParamsSchema,
        response: {
          200: SandboxVoicecodeAudioSchema,
          206: { description: 'The one byte range asked for (Range)', content: SandboxVoicecodeAudioSchema.content },
          304: { description: 'Not modified (If-None-Match)', type: 'null' },
          416: { description: 'The range starts past the end', type: 'null' },
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const message = await store.messages.get(request.principal.accountId, request.params.messageUuid);
      if (!message || !voicecodeParts(message)) throw errors.notFound();
      const tag = voicecodeAudioTag(message.uuid, config.voice);
      // Revalidated on every use (the voice settings may change with a restart), answered without rendering.
      reply.header('ETag', tag).header('Cache-Control', 'private, no-cache');
      // If-None-Match alone (RFC 9110 §13.1.2): `fresh` would also take the request's `Cache-Control: no-cache`, which
      // fetch() adds to every conditional request, as a forced reload; an origin answers the condition regardless.
      if (fresh({ 'if-none-match': request.headers['if-none-match'] }, { etag: tag })) return reply.code(304).send();
      const samples = await voicecodeCallAudio(speech, message);
      if (!samples) throw errors.notFound();
      const wav = encodeWav(samples, CALL_AUDIO_SAMPLE_RATE);
      reply.type('audio/wav').header('Accept-Ranges', 'bytes');
      // One byte range, so that a media element can seek (RFC 9110 §14.2); several, or an If-Range (a weak tag never
      // matches one), get the whole file.
      const ranges = request.headers.range === undefined || request.headers['if-range'] !== undefined ? -2 : parseRange(wav.length, request.headers.range, { combine: true });
      if (ranges === -1) return reply.code(416).header('Content-Range', `bytes */${wav.length}`).send();
      if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return reply.header('Content-Length', String(wav.length)).send(wav);
      const range = ranges[0]!;
      const part = wav.subarray(range.start, range.end + 1);
      return reply
        .code(206)
        .header('Content-Range', `bytes ${range.start}-${range.end}/${wav.length}`)
        .header('Content-Length', String(part.length))
        .send(part);
    },
  );

  api.get<UuidParams>(
    '/messages/:messageUuid/caller-id',
    {
      config: { auth: sandboxAuth },
      schema: {
        tags: [SANDBOX_TAG],
        summary: 'The caller ID a FLASHCALL call presents',
        params: MessageUuidParamsSchema,
        response: { 200: SandboxCallerIdSchema, ...authErrors },
      },
    },
    async (request) => {
      const message = await store.messages.get(request.principal.accountId, request.params.messageUuid);
      if (!message || message.channelType !== 'FLASHCALL' || typeof message.content !== 'string') throw errors.notFound();
      const numberPattern = config.sip.flashcallNumberPattern;
      return { callerId: flashcallCallerId(numberPattern, message.content), code: message.content, numberPattern };
    },
  );

  // Public data (the simulator's table, the published example key): no key needed.
  api.get(
    '/magic-numbers',
    {
      schema: {
        tags: [SANDBOX_TAG],
        summary: "The simulator's magic numbers, per channel, with a ready curl",
        security: [],
        response: { 200: SandboxMagicNumbersSchema },
      },
    },
    async () => magicNumberTable(config, listeningOrigin(api, config)),
  );
}

