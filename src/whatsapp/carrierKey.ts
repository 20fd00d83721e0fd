/** The connector name WhatsApp messages are handed off under: a status finds its message through it and the key. */
export const WHATSAPP_CONNECTOR = 'whatsapp';

/**
 * How a status finds its message: by the wamid *and* the number that sent it. A webhook is trusted for the numbers
 * whose app secret signed it, so a status filed under one number can never change a message of another app's number.
 */
export function carrierKey(phoneNumberId: string, wamid: string): string {
  return `${phoneNumberId}:${wamid}`;
}
