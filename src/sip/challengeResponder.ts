/**
 * Credentials for one call (RFC 3261 §22.2, §22.3): answers 401/407 challenges, remembers them per realm so a
 * later request of the call answers all of them again (the nonce count counting), and gives up on credentials
 * that are refused.
 */
import { answerDigestChallenge, parseDigestChallenge, type DigestChallenge } from './digest.js';
import { headerValues, type SipHeader, type SipResponse } from './message.js';

export interface SipCredentials {
  user: string;
  password: string;
  /** When set, only this realm's challenges are answered. */
  realm?: string;
}

/** More challenges than this for one method mean the credentials are refused. */
const MAX_ROUNDS = 3;

export class ChallengeResponder {
  #challenges = new Map<string, { header: string; challenge: DigestChallenge; nonceCount: number }>();
  #rounds = new Map<string, number>();

  constructor(private readonly credentials: SipCredentials | undefined) {}

  /**
   * Authorization / Proxy-Authorization headers for the request to send again, or null when we cannot or
   * should not: no credentials, another realm, only nonces we answered already (refused), too many rounds.
   */
  answer(response: SipResponse, request: { method: string; uri: string; body: string }): SipHeader[] | null {
    const credentials = this.credentials;
    const rounds = (this.#rounds.get(request.method) ?? 0) + 1;
    this.#rounds.set(request.method, rounds);
    if (!credentials || rounds > MAX_ROUNDS) return null;
    const secret = { username: credentials.user, password: credentials.password };
    const proxy = response.status === 407;
    const answerHeader = proxy ? 'Proxy-Authorization' : 'Authorization';
    let fresh = false;
    const realms = new Set<string>();
    for (const value of headerValues(response, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate')) {
      const challenge = parseDigestChallenge(value);
      // RFC 8760 §2.4: per realm, the topmost challenge we can answer.
      if (!challenge || realms.has(challenge.realm)) continue;
      if (credentials.realm !== undefined && credentials.realm !== challenge.realm) continue;
      if (answerDigestChallenge(challenge, secret, request) === null) continue;
      realms.add(challenge.realm);
      const key = `${answerHeader} ${challenge.realm}`;
      if (this.#challenges.get(key)?.challenge.nonce === challenge.nonce) continue; // answered already: refused
      this.#challenges.set(key, { header: answerHeader, challenge, nonceCount: 0 });
      fresh = true;
    }
    if (!fresh) return null;
    const headers: SipHeader[] = [];
    for (const entry of this.#challenges.values()) {
      entry.nonceCount += 1;
      const value = answerDigestChallenge(entry.challenge, secret, { ...request, nonceCount: entry.nonceCount });
      if (value !== null) headers.push({ name: entry.header, value });
    }
    return headers;
  }
}
