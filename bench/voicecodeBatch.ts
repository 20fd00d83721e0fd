/**
 * A 1000-message VOICECODE batch as a client sends it (distinct destinations, canonical text). The callback
 * URL must be local: a benchmark never sends traffic off this machine.
 */
export function voicecodeBatch(size: number, seed: number, callbackUrl: string): unknown[] {
  return Array.from({ length: size }, (_, i) => ({
    channelType: 'VOICECODE',
    senderName: 'voicecode',
    destination: `7926${String(1_000_000 + ((seed * size + i) % 9_000_000)).padStart(7, '0')}`,
    content: { contentType: 'text', text: `Код авторизации от revicom: ${String(1000 + (i % 9000))}` },
    callbackUrl,
    callbackEvents: ['sent', 'delivered'],
    tags: ['bench'],
  }));
}
