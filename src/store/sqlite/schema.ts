import type Database from 'better-sqlite3';
import { refuseNewerSchema } from '../schemaVersion.js';
import { writeTransaction } from './writeTransaction.js';

/**
 * Migrations, applied in order and recorded in schema_migrations. Never edit a shipped one: append.
 * Times are epoch ms; money is integer units of 1/10000 (domain/money.ts).
 */
const MIGRATIONS: string[] = [
  `
  create table accounts (
    id integer primary key,
    name text not null unique,
    currency text not null,
    balance integer not null,
    reserved integer not null default 0,
    billing_enabled integer not null default 1,
    suspended integer not null default 0,
    flashcall_code_lengths text not null default '[4]',
    disabled_channels text not null default '[]',
    created_at integer not null
  );
  create table api_keys (
    id integer primary key,
    key_id text not null unique,
    secret_hash blob not null,
    type integer not null,
    account_id integer not null references accounts(id),
    traffic_center_id integer not null default 1,
    created_at integer not null,
    revoked_at integer
  );
  create table senders (
    account_id integer not null references accounts(id),
    channel text not null,
    name text not null,
    traffic_type text,
    starts_at integer not null,
    primary key (account_id, channel, name)
  );
  -- account_id 0 is the gateway-wide list
  create table blocklist (
    account_id integer not null,
    destination text not null,
    primary key (account_id, destination)
  ) without rowid;
  create table messages (
    uuid text primary key,
    account_id integer not null,
    direction text not null,
    channel_type text not null,
    sender_name text not null,
    destination text not null,
    content text not null,
    content_search text,
    ttl integer,
    tags text not null,
    external_message_id text,
    callback_url text,
    callback_events text,
    use_local_time integer,
    local_send_time text,
    local_completion_time text,
    hours text,
    days text,
    short_url integer,
    total_parts integer not null,
    traffic_type text not null,
    traffic_center_id integer not null,
    sending_method text not null,
    country_code text,
    status text not null,
    error_code integer,
    reserved integer not null default 0,
    price_total integer,
    price_currency text,
    price_parts integer,
    price_final integer,
    created_at integer not null,
    sent_at integer,
    status_at integer not null,
    message_time integer not null,
    due_at integer,
    lease_owner text,
    lease_until integer,
    attempts integer not null default 0,
    flashcall_result text,
    flashcall_code text,
    flashcall_result_at integer
  );
  create index messages_by_account_created on messages (account_id, created_at, uuid);
  create index messages_by_account_time on messages (account_id, message_time);
  create index messages_by_account_destination on messages (account_id, destination);
  create index messages_due on messages (due_at) where due_at is not null;
  create table idempotency_keys (
    account_id integer not null,
    key text not null,
    body_hash text not null,
    response_status integer,
    response_body text,
    created_at integer not null,
    primary key (account_id, key)
  ) without rowid;
  `,
  // Delivery: lifetimes and schedules, stop requests, the timeline, the callback outbox, signing secrets.
  `
  alter table messages add column expires_at integer;
  alter table messages add column send_after integer;
  alter table messages add column complete_by integer;
  alter table messages add column time_zone text;
  alter table messages add column stop_requested integer not null default 0;
  alter table messages add column connector text;
  alter table messages add column carrier_ref text;
  create index messages_by_carrier_ref on messages (connector, carrier_ref) where carrier_ref is not null;
  alter table accounts add column signing_secret text;
  create table message_events (
    id integer primary key,
    message_uuid text not null,
    at integer not null,
    kind text not null,
    detail text
  );
  create index message_events_by_message on message_events (message_uuid, id);
  -- One row per callback event; delivery_id is set when the event is put into a delivery (a batch).
  create table callback_events (
    id integer primary key,
    account_id integer not null,
    message_uuid text not null,
    url text not null,
    payload text not null,
    created_at integer not null,
    delivery_id text
  );
  create index callback_events_unbatched on callback_events (account_id, url, id) where delivery_id is null;
  -- One row per POST body; its id is the webhook-id, the same on every retry.
  create table callback_deliveries (
    id text primary key,
    account_id integer not null,
    url text not null,
    body text not null,
    message_uuids text not null,
    created_at integer not null,
    first_attempt_at integer,
    next_attempt_at integer not null,
    attempts integer not null default 0,
    state text not null default 'pending',
    last_result text,
    lease_until integer
  ) without rowid;
  create index callback_deliveries_due on callback_deliveries (next_attempt_at) where state = 'pending';
  `,
  // Claims and expiries each scan only their own rows: a backlog of sending messages must not slow
  // the expiry sweep, nor messages waiting for a receipt the claims.
  `
  drop index messages_due;
  create index messages_sending_due on messages (due_at) where status = 'sending';
  create index messages_expiry_due on messages (due_at) where status in ('sent', 'delivered');
  `,
  // Short links (spec §5.11) and key names (spec §3.1).
  `
  create table short_links (
    slug text primary key,
    message_uuid text not null,
    short_url text not null,
    url text not null,
    clicks integer not null default 0
  ) without rowid;
  create index short_links_by_message on short_links (message_uuid);
  alter table api_keys add column name text;
  `,
  // Network ids of handed-off parts (SMPP message_id in several notations), per-part outcomes of multipart
  // messages, and reports that arrived before the part they name was known (an early delivery receipt).
  `
  drop index messages_by_carrier_ref;
  alter table messages drop column carrier_ref;
  create table carrier_refs (
    connector text not null,
    ref_key text not null,
    message_uuid text not null,
    part integer not null,
    primary key (connector, ref_key, message_uuid, part)
  ) without rowid;
  create table message_parts (
    message_uuid text not null,
    part integer not null,
    outcome text,
    error_code integer,
    primary key (message_uuid, part)
  ) without rowid;
  create table pending_reports (
    id integer primary key,
    envelope text not null,
    received_at integer not null
  );
  create table pending_report_keys (
    connector text not null,
    ref_key text not null,
    report_id integer not null,
    primary key (connector, ref_key, report_id)
  ) without rowid;
  `,
  // A delivery's body apart from its state: SQLite rewrites a whole row on every update, and each lease and
  // attempt would copy a body of up to 100 events again.
  `
  create table callback_delivery_bodies (
    delivery_id text primary key,
    body text not null,
    message_uuids text not null
  ) without rowid;
  insert into callback_delivery_bodies (delivery_id, body, message_uuids) select id, body, message_uuids from callback_deliveries;
  alter table callback_deliveries drop column body;
  alter table callback_deliveries drop column message_uuids;
  `,
  // Inbound messages that reached no account (domain/inboundRouting.ts), kept for the operator instead of guessed.
  `
  create table inbound_unmatched (
    id integer primary key,
    channel_type text not null,
    from_address text not null,
    to_address text not null,
    text text not null,
    received_at integer not null,
    reason text not null,
    candidates text not null
  );
  `,
  // The content and tags filters (spec §8.1) found through a trigram index instead of a scan of the account:
  // each message's lowercased text and its tags, each tag between two U+0001 (so a tag of one letter still makes
  // a trigram). The index only narrows the search; the filters' own predicates decide (messages/searchIndex.ts).
  // It is kept up to date off the acceptance path: rows above indexed_through are not in it yet and are scanned.
  `
  create virtual table message_search using fts5(document, content='', tokenize='trigram case_sensitive 1', detail=none, columnsize=0);
  create table message_search_state (indexed_through integer not null);
  insert into message_search (rowid, document)
    select rowid, coalesce(content_search, '') || char(10) || coalesce((select group_concat(char(1) || value || char(1), '') from json_each(messages.tags)), '')
    from messages;
  insert into message_search_state (indexed_through) select coalesce(max(rowid), 0) from messages;
  `,
  // Idempotency claims name their owner (a store's lock file, sqlite/idempotencyOwner.ts) and carry a token: the claim
  // of a dead owner is taken over at once, and a request whose claim was taken over cannot store its answer (spec §5.12).
  `
  alter table idempotency_keys add column owner text;
  alter table idempotency_keys add column claim_token text;
  `,
  // WhatsApp state beside the messages (store/whatsappState.ts): the template registry of each WABA, with the time of
  // its last sync apart (a sync that finds no templates still happened), the last message of each subscriber to each
  // of our numbers (the 24-hour window), and the senders the circuit breaker paused.
  // inbound_platform_ids makes a platform's redelivery (a retried webhook) give the first message's uuid again;
  // message_uuid null marks one that went to inbound_unmatched. at is the message's time, for a later purge.
  `
  create table whatsapp_templates (
    waba_id text not null,
    name text not null,
    language text not null,
    id text not null,
    status text not null,
    category text not null,
    body_parameters integer not null,
    primary key (waba_id, name, language)
  ) without rowid;
  create index whatsapp_templates_by_id on whatsapp_templates (waba_id, id);
  create table whatsapp_template_syncs (
    waba_id text primary key,
    synced_at integer not null
  ) without rowid;
  create table whatsapp_subscriber_messages (
    phone_number_id text not null,
    subscriber text not null,
    last_message_at integer not null,
    primary key (phone_number_id, subscriber)
  ) without rowid;
  create table whatsapp_paused_senders (
    sender_name text primary key,
    reason text not null,
    paused_at integer not null
  ) without rowid;
  create table inbound_platform_ids (
    channel_type text not null,
    platform_id text not null,
    message_uuid text,
    at integer not null,
    primary key (channel_type, platform_id)
  ) without rowid;
  `,
  // VK state beside the messages (store/vkState.ts): the senders the circuit breaker paused; the messages holding a
  // place under VK's daily limit per sender name and phone (by uuid, so a retry counts once, and released when the
  // platform did not take the message); the message ids each community sent to each peer, until VK reports them read
  // ("read up to this id"); and the Callback API event ids already applied (VK sends an event again until answered).
  `
  create table vk_paused_senders (
    sender_name text primary key,
    reason text not null,
    paused_at integer not null
  ) without rowid;
  create table vk_daily_slots (
    message_uuid text primary key,
    sender_name text not null,
    phone text not null,
    taken_at integer not null
  ) without rowid;
  create index vk_daily_slots_by_pair on vk_daily_slots (sender_name, phone, taken_at);
  create table vk_community_messages (
    group_id text not null,
    peer_id text not null,
    message_id integer not null,
    sent_at integer not null,
    primary key (group_id, peer_id, message_id)
  ) without rowid;
  create table vk_webhook_events (
    group_id text not null,
    event_id text not null,
    at integer not null,
    primary key (group_id, event_id)
  ) without rowid;
  `,
  // SMPP users (store/smppUsers.ts, smpp-interface.md §2): the credentials an ESME binds with. system_id is unique over
  // every row, revoked ones too: a revoked id is never reused. allow_list is a JSON array of CIDRs ('[]' = any).
  `
  create table smpp_users (
    id integer primary key,
    system_id text not null unique,
    account_id integer not null references accounts(id),
    password_hash text not null,
    allow_list text not null default '[]',
    max_binds integer not null,
    throughput integer not null,
    window_size integer not null,
    message_id_format text not null,
    callback_url text,
    created_at integer not null,
    revoked_at integer
  );
  create index smpp_users_by_account on smpp_users (account_id, id);
  `,
  // The SMPP door for clients (store/smppDoor.ts, smpp-interface.md §1–§4). A message submitted over SMPP names its user
  // and the receipts it asked for ('final' or 'failure'; null for none or not SMPP). smpp_binds holds the sessions bound
  // per owner (sqlite/idempotencyOwner.ts: a dead owner's binds are proved dead and dropped), so maxBinds counts every
  // process on the file. smpp_message_ids: every message_id a client was answered with (query_sm, cancel_sm, receipts).
  // smpp_counter: the one-row gateway-wide counter of the hex and decimal formats. smpp_parts: the parts of concatenated
  // messages until the last arrives. smpp_outbox: deliver_sm owed (receipts per user; inbound SMS per account, user null),
  // written in the transaction of their cause and leased like callback deliveries.
  `
  alter table messages add column smpp_user_id integer;
  alter table messages add column smpp_receipts text;
  create table smpp_binds (
    owner text not null,
    session_id integer not null,
    smpp_user_id integer not null,
    bind_type text not null,
    remote_address text not null,
    bound_at integer not null,
    primary key (owner, session_id)
  ) without rowid;
  create index smpp_binds_by_user on smpp_binds (smpp_user_id, owner);
  create table smpp_message_ids (
    smpp_user_id integer not null,
    message_id text not null,
    message_uuid text not null,
    segment integer not null,
    primary key (smpp_user_id, message_id)
  ) without rowid;
  create index smpp_message_ids_by_message on smpp_message_ids (message_uuid, segment);
  create table smpp_counter (value integer not null);
  insert into smpp_counter (value) values (0);
  create table smpp_parts (
    smpp_user_id integer not null,
    group_key text not null,
    segment integer not null,
    total integer not null,
    message_uuid text not null,
    message_id text not null,
    item text not null,
    received_at integer not null,
    primary key (smpp_user_id, group_key, segment)
  ) without rowid;
  create index smpp_parts_by_age on smpp_parts (received_at);
  create table smpp_outbox (
    id integer primary key,
    kind text not null,
    account_id integer not null,
    smpp_user_id integer,
    message_uuid text not null,
    status text,
    error_code integer,
    done_at integer,
    created_at integer not null,
    due_at integer not null,
    attempts integer not null default 0,
    lease_until integer,
    lease_owner text
  );
  create index smpp_outbox_receipts_due on smpp_outbox (smpp_user_id, due_at) where smpp_user_id is not null;
  create index smpp_outbox_inbound_due on smpp_outbox (account_id, due_at) where smpp_user_id is null;
  create index smpp_outbox_by_age on smpp_outbox (created_at);
  create index smpp_outbox_leased on smpp_outbox (lease_owner) where lease_owner is not null;
  `,
  // The sandbox's callback inbox (store/sandboxInbox.ts, issue #15): what reached each account's built-in receiver,
  // the exact bytes of the body and every header line (a JSON array) as received. autoincrement: ids never come back
  // after the inbox is cleared, so a page cursor (an id) never names a later entry. The index serves the newest-first
  // pages and the prune of each recording.
  `
  create table sandbox_inbox (
    id integer primary key autoincrement,
    account_id integer not null,
    received_at integer not null,
    headers text not null,
    body blob not null,
    signature text not null,
    webhook_id text
  );
  create index sandbox_inbox_by_account on sandbox_inbox (account_id, id);
  `,
];

/** Applies the migrations not yet applied, up to `through` (all of them unless a test stops earlier). */
export function migrate(db: Database.Database, through = MIGRATIONS.length): void {
  db.exec('create table if not exists schema_migrations (version integer primary key, applied_at integer not null)');
  const applied = new Set(
    (db.prepare('select version from schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  refuseNewerSchema(applied, LATEST_SCHEMA_VERSION);
  MIGRATIONS.forEach((sql, index) => {
    const version = index + 1;
    if (applied.has(version) || version > through) return;
    writeTransaction(db, () => {
      db.exec(sql);
      db.prepare('insert into schema_migrations (version, applied_at) values (?, ?)').run(version, Date.now());
    })();
  });
}

/** The version the schema reaches once every migration is applied. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
