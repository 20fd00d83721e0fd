/**
 * VK's Callback API as it reaches a community's server (dev.vk.com "Callback API"), as TypeBox schemas checked with
 * TypeBox's compiler: every event is `{type, group_id, event_id, v, object, secret}`; `confirmation` has no object.
 * Only the fields the gateway reads are required; VK adds fields without notice.
 */
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/** The last segment of the communities' webhook path; a provider profile has its own name there, so none may be called this. */
export const COMMUNITY_WEBHOOK_NAME = 'community';

const EventSchema = Type.Object({
  type: Type.String({ maxLength: 64 }),
  group_id: Type.Integer({ minimum: 1 }),
  event_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  v: Type.Optional(Type.String({ maxLength: 16 })),
  secret: Type.Optional(Type.String({ maxLength: 4096 })),
  object: Type.Optional(Type.Unknown()),
});
export type CallbackEvent = Static<typeof EventSchema>;

/** `message_read`: the subscriber read the community's messages to this peer up to `read_message_id`. */
const MessageReadSchema = Type.Object({
  from_id: Type.Integer(),
  peer_id: Type.Integer({ minimum: 1 }),
  read_message_id: Type.Integer({ minimum: 0 }),
  conversation_message_id: Type.Optional(Type.Integer()),
});
export type MessageRead = Static<typeof MessageReadSchema>;

const eventCheck = TypeCompiler.Compile(EventSchema);
const messageReadCheck = TypeCompiler.Compile(MessageReadSchema);

export const readCallbackEvent = (value: unknown): CallbackEvent | null => (eventCheck.Check(value) ? value : null);
export const readMessageRead = (value: unknown): MessageRead | null => (messageReadCheck.Check(value) ? value : null);
