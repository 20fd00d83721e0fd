import type { Clock } from '../../clock.js';
import type { GatewayConfig } from '../../config.js';
import { CALL_ERROR_CODES, flashcallCallerId, sipFailureCode } from '../../domain/callOutcomes.js';
import type { VoicecodeContent } from '../../domain/message.js';
import { parseVoicecodeText } from '../../domain/voicecodeTemplate.js';
import { createRtpPortPool, RtpPortsExhaustedError, type RtpPortPool } from '../../media/rtpPortPool.js';
import { createRtpStream } from '../../media/rtpSender.js';
import { buildSdpOffer, parseSdpAnswer, AUDIO_CODEC_PAYLOAD_TYPES } from '../../sip/sdp.js';
import { createSipUserAgent, type SipCall, type SipUserAgent } from '../../sip/userAgent.js';
import { USER_AGENT } from '../../userAgent.js';
import { speechOfSettings, type VoicecodeSpeech } from '../../voice/voicecodeSpeech.js';
import type { CarrierEvent, Connector, ConnectorEvents, HandoffResult, OutboundMessage } from '../connector.js';
import { clearRingTimer, type CallInProgress } from './callInProgress.js';

export interface SipConnectorOptions {
  sip: GatewayConfig['sip'];
  voice: GatewayConfig['voice'];
  clock: Clock;
  logger?: { warn(detail: object, message: string): void };
}

/** When all call slots are busy, the engine tries the message again this much later. */
const BUSY_RETRY_MS = 1_000;
/** Between two attempts of one message (`sip.callAttempts` > 1). */
const REDIAL_DELAY_MS = 2_000;

/**
 * VOICECODE and FLASHCALL as SIP calls through a trunk (spec §6.1.4, §6.2.2). `sent` when the INVITE goes
 * out. VOICECODE: `delivered` on answer, then the code is played over RTP and the gateway hangs up.
 * FLASHCALL: the caller ID ends in the code, `delivered` when it rings, cancelled after a short ring;
 * answered anyway → ACK and BYE at once. Failures carry the spec's SIP mapping.
 */
export function createSipConnector(options: SipConnectorOptions): Connector & { readonly activeCalls: number } {
  const { sip, clock } = options;
  const calls = new Map<string, CallInProgress>();
  /** Calls between the slot check and being tracked (their RTP port is being allocated). */
  let pending = 0;
  let ua: SipUserAgent | null = null;
  let ports: RtpPortPool | null = null;
  let speech: VoicecodeSpeech | null = null;
  let events: ConnectorEvents | null = null;

  const report = (event: Omit<CarrierEvent, 'at'>) => events?.report({ ...event, at: clock.now() });

  const finish = (progress: CallInProgress) => {
    clearRingTimer(progress);
    calls.delete(progress.uuid);
    void progress.rtp.close();
  };

  const fail = (progress: CallInProgress, code: number | null, reason: string) => {
    finish(progress);
    if (progress.delivered) return;
    const errorCode = progress.ringTimedOut ? CALL_ERROR_CODES.noAnswer : sipFailureCode(code);
    const detail = `SIP ${code ?? '(no final response)'} ${reason}`;
    const giveUp = () => report({ uuid: progress.uuid, kind: 'undelivered', errorCode, detail });
    // A callee who rejected the call is not called again; busy, no answer and failures may be.
    if (!progress.redial || errorCode === CALL_ERROR_CODES.rejected || errorCode === CALL_ERROR_CODES.unknownNumber) return giveUp();
    const redial = progress.redial;
    setTimeout(() => void redial().then((placed) => placed || giveUp(), giveUp), REDIAL_DELAY_MS).unref();
  };

  const deliver = (progress: CallInProgress, detail: string) => {
    if (progress.delivered) return;
    progress.delivered = true;
    report({ uuid: progress.uuid, kind: 'delivered', detail });
  };

  async function playCode(progress: CallInProgress, answerSdp: string, audio: Int16Array) {
    const media = parseSdpAnswer(answerSdp, sip.codecs);
    if (!media) {
      options.logger?.warn({ uuid: progress.uuid }, 'answer without a usable audio stream: hanging up');
      progress.call.hangup();
      return;
    }
    const stream = await createRtpStream({
      socket: progress.rtp.socket,
      remote: { address: media.address, port: media.port },
      payloadType: AUDIO_CODEC_PAYLOAD_TYPES[media.codec] as 0 | 8,
    });
    progress.call.once('ended', () => void stream.close());
    await stream.play(audio);
    await stream.close();
    progress.call.hangup();
  }

  function track(
    uuid: string,
    call: SipCall,
    rtp: CallInProgress['rtp'],
    onAnswer: (progress: CallInProgress, sdp: string) => void,
    redial: CallInProgress['redial'],
  ) {
    const progress: CallInProgress = { uuid, call, rtp, ringTimer: null, ringTimedOut: false, delivered: false, redial };
    pending--;
    progress.ringTimer = setTimeout(() => {
      progress.ringTimedOut = true;
      call.cancel();
    }, sip.ringTimeoutMs);
    calls.set(uuid, progress);
    call.on('answered', ({ sdp }) => {
      clearRingTimer(progress);
      onAnswer(progress, sdp);
    });
    call.on('failed', ({ code, reason }) => fail(progress, code, reason));
    call.on('ended', () => finish(progress));
    return progress;
  }

  async function invite(message: OutboundMessage, from: string): Promise<{ call: SipCall; rtp: CallInProgress['rtp'] } | HandoffResult> {
    // Counted from the check on: concurrent hand-offs must not all pass it before any call is tracked.
    if (calls.size + pending >= sip.maxConcurrentCalls) return { kind: 'retry', afterMs: BUSY_RETRY_MS, detail: `all ${sip.maxConcurrentCalls} call slots busy` };
    pending++;
    let rtp;
    try {
      rtp = await ports!.allocate();
    } catch (error) {
      pending--;
      if (error instanceof RtpPortsExhaustedError) return { kind: 'retry', afterMs: BUSY_RETRY_MS, detail: error.message };
      throw error;
    }
    const sdp = buildSdpOffer({ address: sip.localAddress, port: rtp.port, codecs: sip.codecs });
    const call = ua!.invite({ to: message.destination, from, ...(from !== sip.callerNumber ? { pAssertedIdentity: from } : {}), sdp });
    return { call, rtp };
  }

  async function sendVoicecode(message: OutboundMessage): Promise<HandoffResult> {
    const parts = parseVoicecodeText((message.content as VoicecodeContent).text);
    if (!parts) return { kind: 'refused', errorCode: CALL_ERROR_CODES.callFailed, detail: 'text does not match the VOICECODE template' };
    // Rendered before the INVITE: the audio must be ready when the callee answers.
    const audio = await speech!.render(parts);
    const place = async (attempt: number): Promise<HandoffResult> => {
      const started = await invite(message, sip.callerNumber);
      if ('kind' in started) return started;
      const redial = attempt < sip.callAttempts ? async () => (await place(attempt + 1)).kind === 'sent' : null;
      track(
        message.uuid,
        started.call,
        started.rtp,
        (progress, sdp) => {
          deliver(progress, attempt === 1 ? 'answered' : `answered at attempt ${attempt}`);
          playCode(progress, sdp, audio).catch((error: unknown) => {
            options.logger?.warn({ err: error, uuid: message.uuid }, 'playing the code failed: hanging up');
            progress.call.hangup();
          });
        },
        redial,
      );
      return { kind: 'sent', detail: `INVITE sip:${message.destination}@${sip.trunkHost}:${sip.trunkPort}` };
    };
    return place(1);
  }

  async function sendFlashcall(message: OutboundMessage): Promise<HandoffResult> {
    const callerId = flashcallCallerId(sip.flashcallNumberPattern, message.content as string);
    if (callerId === null) {
      return { kind: 'refused', errorCode: CALL_ERROR_CODES.callFailed, detail: `no caller number in ${sip.flashcallNumberPattern} ends in the code` };
    }
    const started = await invite(message, callerId);
    if ('kind' in started) return started;
    // Nobody should answer a flash call: if someone does, ACK (the user agent does) and BYE at once.
    const progress = track(
      message.uuid,
      started.call,
      started.rtp,
      (p) => {
        deliver(p, 'answered (released at once)');
        p.call.hangup();
      },
      null,
    );
    started.call.on('ringing', ({ code }) => {
      if (progress.delivered) return;
      deliver(progress, `ringing (${code})`);
      clearRingTimer(progress);
      setTimeout(() => started.call.cancel(), sip.flashcallRingMs).unref();
    });
    return { kind: 'sent', detail: `INVITE from ${callerId}` };
  }

  return {
    name: 'sip',
    get activeCalls() {
      return calls.size;
    },
    isBusyWith(uuid) {
      return calls.has(uuid);
    },
    async start(connectorEvents) {
      events = connectorEvents;
      ua = await createSipUserAgent({
        localAddress: sip.localAddress,
        localPort: sip.localPort,
        trunk: { host: sip.trunkHost, port: sip.trunkPort },
        userAgent: USER_AGENT,
        ...(sip.authUser !== null && sip.authPassword !== null
          ? { auth: { user: sip.authUser, password: sip.authPassword, ...(sip.authRealm !== null ? { realm: sip.authRealm } : {}) } }
          : {}),
      });
      ports = createRtpPortPool({ min: sip.rtpPortMin, max: sip.rtpPortMax, address: sip.localAddress });
      speech = speechOfSettings(options.voice);
      await speech.preload();
    },
    async send(message) {
      if (!ua) throw new Error('SIP connector used before start()');
      if (message.channelType === 'VOICECODE') return sendVoicecode(message);
      if (message.channelType === 'FLASHCALL') return sendFlashcall(message);
      return { kind: 'refused', errorCode: CALL_ERROR_CODES.callFailed, detail: `the SIP connector does not carry ${message.channelType}` };
    },
    async stop() {
      for (const progress of calls.values()) progress.call.hangup();
      await ua?.close();
      for (const progress of [...calls.values()]) finish(progress);
      ua = null;
      events = null;
    },
  };
}

/** The SIP user agent's own port, for tests. */
export type SipConnector = ReturnType<typeof createSipConnector>;
