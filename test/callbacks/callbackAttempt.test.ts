/** One attempt: the headers it sends, and the record its answer makes (delivered, retry at the schedule's time, dropped). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { attemptDelivery, type AttemptContext } from '../../src/callbacks/callbackAttempt.js';
import { closePostTransport, createPostTransport } from '../../src/callbacks/postCallback.js';
import { RETRY_DELAYS_MS, RETRY_WINDOW_MS } from '../../src/callbacks/retrySchedule.js';
import type { ClaimedDelivery } from '../../src/store/callbackOutbox.js';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
// Now, not a fixed date: the receiver's check refuses old timestamps.
const NOW = Date.now();

async function withReceiver(status: number, run: (origin: string, seen: http.IncomingHttpHeaders[]) => Promise<void>): Promise<void> {
  const seen: http.IncomingHttpHeaders[] = [];
  const s = http.createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    request.on('end', () => response.writeHead(status).end());
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen);
  } finally {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
}

function delivery(origin: string, extra: Partial<ClaimedDelivery> = {}): ClaimedDelivery {
  return {
    id: 'msg_2u0b0000000000000000000001',
    accountId: 1,
    url: `${origin}/hook`,
    body: '[{"status":"delivered"}]',
    attempts: 0,
    firstAttemptAt: null,
    messageUuids: [],
    signingSecret: null,
    leaseUntil: NOW + 30_000,
    ...extra,
  };
}

function context(): AttemptContext {
  return { transport: createPostTransport(2_000, true), clock: { now: () => NOW }, userAgent: 'direct-gateway/test', random: () => 0.5 };
}

test('a 2xx is delivered; signed when the account has a secret; credentials of the URL become Basic auth', async () => {
  await withReceiver(200, async (origin, seen) => {
    const ctx = context();
    try {
      const url = origin.replace('http://', 'http://user:p%40ss@');
      const { record, hostFailed } = await attemptDelivery(ctx, delivery(origin, { url: `${url}/hook`, signingSecret: SECRET }));
      assert.equal(hostFailed, false);
      assert.equal(record.detail.outcome, 'delivered');
      assert.equal(record.nextAttemptAt, null);
      assert.equal(record.detail.attempt, 1);
      assert.equal(record.detail.httpStatus, 200);
      assert.equal(record.at, NOW);
      assert.equal(record.leaseUntil, NOW + 30_000);
      assert.ok(!record.detail.url.includes('p%40ss'), 'the password is redacted in the record');
      const headers = seen[0]!;
      assert.equal(headers['user-agent'], 'direct-gateway/test');
      assert.equal(headers['content-type'], 'application/json');
      assert.equal(headers['webhook-id'], 'msg_2u0b0000000000000000000001');
      assert.equal(headers['webhook-timestamp'], String(Math.floor(NOW / 1000)));
      assert.equal(headers['authorization'], `Basic ${Buffer.from('user:p@ss').toString('base64')}`);
      const verified = new Webhook(SECRET).verify('[{"status":"delivered"}]', {
        'webhook-id': headers['webhook-id'] as string,
        'webhook-timestamp': headers['webhook-timestamp'] as string,
        'webhook-signature': headers['webhook-signature'] as string,
      }) as unknown;
      assert.deepEqual(verified, [{ status: 'delivered' }]);
    } finally {
      closePostTransport(ctx.transport);
    }
  });
});

test('without a secret no signature headers are sent', async () => {
  await withReceiver(204, async (origin, seen) => {
    const ctx = context();
    try {
      await attemptDelivery(ctx, delivery(origin));
      assert.equal(seen[0]!['webhook-signature'], undefined);
      assert.equal(seen[0]!['webhook-timestamp'], undefined);
      assert.equal(seen[0]!['authorization'], undefined);
    } finally {
      closePostTransport(ctx.transport);
    }
  });
});

test('a non-2xx is retried at the schedule\'s next time', async () => {
  await withReceiver(500, async (origin) => {
    const ctx = context();
    try {
      const { record } = await attemptDelivery(ctx, delivery(origin, { attempts: 2, firstAttemptAt: NOW - 60_000 }));
      assert.equal(record.detail.outcome, 'retry');
      assert.equal(record.detail.attempt, 3);
      assert.equal(record.detail.httpStatus, 500);
      // random 0.5 is the middle of the jitter: the delay itself.
      assert.equal(record.nextAttemptAt, NOW + RETRY_DELAYS_MS[2]!);
    } finally {
      closePostTransport(ctx.transport);
    }
  });
});

test('a failure past the 24 h window is dropped', async () => {
  await withReceiver(500, async (origin) => {
    const ctx = context();
    try {
      const { record } = await attemptDelivery(ctx, delivery(origin, { attempts: 9, firstAttemptAt: NOW - RETRY_WINDOW_MS + 1_000 }));
      assert.equal(record.detail.outcome, 'dropped');
      assert.equal(record.nextAttemptAt, null);
    } finally {
      closePostTransport(ctx.transport);
    }
  });
});
