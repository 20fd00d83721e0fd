/** The connector name VK messages are handed off under: a status finds its message through it and a key. */
export const VK_CONNECTOR = 'vk';

/**
 * A provider's message id, under the provider profile that gave it: a callback is trusted for the profile whose
 * secret signed it, so it can never change a message another provider took.
 */
export function providerKey(profile: string, id: string): string {
  return `provider:${profile}:${id}`;
}

/** A community's message id (VK numbers messages per community). */
export function communityKey(groupId: string, messageId: number): string {
  return `community:${groupId}:${messageId}`;
}
