/** The `sip` settings: the SIP trunk VOICECODE and FLASHCALL calls go to (README "VOICECODE and FLASHCALL over SIP"). */
import { Type } from '@sinclair/typebox';
import type { SettingsSection } from '../../config/section.js';
import { integer, nonEmptyText, orNull, section } from '../../config/settingTypes.js';

const CODEC = Type.Union([Type.Literal('PCMA'), Type.Literal('PCMU')], { errorMessage: 'must be "PCMA" or "PCMU"' });

const SIP_SETTINGS = section(
  {
    trunkHost: nonEmptyText({ default: '127.0.0.1', description: 'Host of the SIP trunk (UDP) that calls go to.' }),
    trunkPort: integer({ minimum: 1, default: 5060, description: 'Port of the SIP trunk.' }),
    transport: Type.Literal('udp', { default: 'udp', description: 'SIP transport.', errorMessage: 'must be "udp"' }),
    localAddress: nonEmptyText({ default: '127.0.0.1', description: 'Where our SIP and RTP sockets bind; also announced in Via, Contact and SDP.' }),
    localPort: integer({ minimum: 0, default: 0, description: 'Local SIP port; `0` = any free port.' }),
    callerNumber: nonEmptyText({ default: '74950000000', docType: 'digits', description: 'Caller ID (From user) of VOICECODE calls.' }),
    authUser: orNull(nonEmptyText(), { description: 'Digest user name for 401/407 challenges.' }),
    authPassword: orNull(nonEmptyText(), { description: 'Digest password.' }),
    authRealm: orNull(nonEmptyText(), { description: "With a realm, only that realm's challenges are answered." }),
    rtpPortMin: integer({ minimum: 1024, default: 20_000, description: 'Lowest local RTP port (even ones are used); at most `sip.rtpPortMax`.' }),
    rtpPortMax: integer({ minimum: 1024, default: 29_998, description: 'Highest local RTP port.' }),
    codecs: Type.Array(CODEC, {
      minItems: 1,
      uniqueItems: true,
      default: ['PCMA', 'PCMU'],
      description: 'Offered in this order.',
      errorMessage: 'must be a non-empty list of "PCMA" and/or "PCMU"',
    }),
    maxConcurrentCalls: integer({ minimum: 1, default: 200, description: 'Calls at once; beyond, messages wait in the queue.' }),
    ringTimeoutMs: integer({ minimum: 1_000, default: 30_000, description: 'No answer by then → CANCEL, error 602.' }),
    callAttempts: integer({ minimum: 1, default: 1, description: 'Calls per message (spec §6.1.3: one, no automatic redial).' }),
    flashcallNumberPattern: Type.String({
      pattern: '^[1-9][0-9]*X{4,6}$',
      default: '7495123XXXX',
      docType: 'digits ending in 4–6 `X`',
      description: "FLASHCALL caller IDs: the X's are replaced by the code.",
      errorMessage: 'must be digits ending in 4–6 X\'s, e.g. "7495123XXXX"',
    }),
    flashcallRingMs: integer({ minimum: 0, default: 2_000, description: 'How long a FLASHCALL rings before it is cancelled.' }),
  },
  'The SIP connector (VOICECODE and FLASHCALL through a SIP trunk).',
);

export const SIP_SECTION: SettingsSection<typeof SIP_SETTINGS> = {
  schema: SIP_SETTINGS,
  checks: [
    function rtpPortRange(sip, isValid) {
      if (!isValid('sip.rtpPortMin') || !isValid('sip.rtpPortMax') || sip.rtpPortMin <= sip.rtpPortMax) return [];
      return [{ path: 'sip.rtpPortMin', text: 'sip.rtpPortMin must not be above sip.rtpPortMax' }];
    },
  ],
};
