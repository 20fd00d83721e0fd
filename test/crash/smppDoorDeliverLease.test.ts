/**
 * Receipts a killed gateway had sent but not yet seen answered (smpp-interface.md §4: "sent again (same content)
 * when unanswered within 30 s or after a reconnect"): after kill -9, a restart and a rebind, they come again within
 * the spec's 30 s, with the default smppServer.responseTimeoutMs. Each row's lease names the process that took it,
 * and the lease of a dead process ends with it (its lock file is gone), long before the lease's own 65 s.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { toGsm7Septets } from '../../src/smpp/gsm7.js';
import { until } from '../support/processHarness.js';
import { stopProcess } from '../support/serveProcess.js';
import { DoorClient } from '../support/smppDoorClient.js';
import { createSmppUser, DOOR_SENDER, prepareDoorDatabase, startDoorServe, writeDoorConfig } from '../support/smppDoorServe.js';

const MESSAGES = 20;
const SPEC_RESEND_MS = 30_000;

it(
  'receipts sent but unanswered when the gateway was killed come again within 30 s of the rebind (default responseTimeoutMs)',
  {
    timeout: 60_000,
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dgw-door-lease-'));
    const db = join(dir, 'gateway.db');
    const configFile = join(dir, 'config.json');
    // responseTimeoutMs left at its default: the lease is what is tested.
    writeDoorConfig(configFile, { simulator: { deliveryDelayMs: 100 } });
    prepareDoorDatabase(db, 'doorlease');
    const password = createSmppUser(db, 'doorlease', 'leaseesme', ['--max-binds', '2']);
    const args = ['--db', db, '--port', '0', '--config', configFile];
    try {
      const first = await startDoorServe(args);
      const silent = await DoorClient.connect(first.smppPort);
      silent.deliverStatus = null; // receives the receipts, answers none
      assert.equal(await silent.bind('leaseesme', password), 0);
      const ids: string[] = [];
      for (let i = 0; i < MESSAGES; i++) {
        const { status, messageId } = await silent.submit({
          source_addr: DOOR_SENDER,
          destination_addr: `79${String(i).padStart(5, '0')}5555`,
          registered_delivery: 1,
          short_message: toGsm7Septets('Lease test'),
        });
        assert.equal(status, 0);
        ids.push(messageId);
      }
      await silent.waitDelivers(MESSAGES, 15_000);
      await stopProcess(first.child, 'SIGKILL');
      await silent.close();

      const second = await startDoorServe(args);
      try {
        const client = await DoorClient.connect(second.smppPort);
        try {
          await until('the rebind succeeds', async () => (await client.bind('leaseesme', password)) === 0, 10_000, 200);
          await until(
            'every unanswered receipt came again',
            () => ids.every((id) => client.delivers.some((d) => String(d.receipted_message_id) === id)),
            SPEC_RESEND_MS,
            100,
          );
        } finally {
          await client.close();
        }
      } finally {
        await stopProcess(second.child);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
