/**
 * The `smppServer` settings: the SMPP door for clients (README "SMPP for clients", smpp-interface.md §1). Off unless
 * enabled; `serve --sandbox` turns it on at 127.0.0.1:2775. Every bind needs an SMPP user's password, so the door
 * may listen beyond loopback.
 */
import { Type } from '@sinclair/typebox';
import { integer, nonEmptyText, orNull, port, section, trueOrFalse } from '../config/settingTypes.js';

/** The sandbox's listener (spec §1). */
export const SANDBOX_SMPP_PORT = 2775;

const TLS_SETTINGS = Type.Object(
  {
    // No defaults in here: a default inside one branch of a union (this object or null) is never applied.
    host: Type.Optional(nonEmptyText({ docType: 'address', description: 'Address of the TLS listener; absent = `smppServer.host`.' })),
    port: port({ description: 'Port of the TLS listener (3550 is SMPP over TLS\'s usual one).' }),
    certFile: nonEmptyText({ docType: 'path', description: 'PEM file of the certificate (chain) the listener presents.' }),
    keyFile: nonEmptyText({ docType: 'path', description: 'PEM file of its private key.' }),
  },
  { additionalProperties: false },
);

export const SMPP_SERVER_SETTINGS = section(
  {
    enabled: trueOrFalse({ default: false, description: 'Accept binds from client ESMEs. Always on with `serve --sandbox` (at 127.0.0.1:2775).' }),
    host: nonEmptyText({ default: '127.0.0.1', description: 'Address the plain TCP listener listens on.' }),
    port: port({ default: SANDBOX_SMPP_PORT, description: 'Its port; 0 picks any free port (the banner shows it).' }),
    tls: orNull(TLS_SETTINGS, {
      docType: '`{host, port, certFile, keyFile}` or null',
      description: 'A second listener with TLS; null = none.',
    }),
    systemId: Type.String({
      minLength: 1,
      maxLength: 15,
      pattern: '^[\\x21-\\x7e]+$',
      default: 'direct-gateway',
      description: 'The gateway\'s `system_id` in every `bind_resp`.',
      errorMessage: 'must be 1–15 printable ASCII characters',
    }),
    bindTimeoutMs: integer({ minimum: 10, default: 30_000, description: 'A connection that has not bound within this is closed.' }),
    enquireLinkMs: integer({ minimum: 10, default: 60_000, description: 'After this long without a PDU from a bound client the gateway sends `enquire_link`.' }),
    responseTimeoutMs: integer({
      minimum: 10,
      default: 30_000,
      description: 'A client that does not answer an `enquire_link` within this is disconnected; a `deliver_sm` unanswered within this is sent again.',
    }),
  },
  'The SMPP door for clients: the gateway as SMSC.',
);
