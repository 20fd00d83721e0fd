/**
 * The SMPP door's binds over real TCP (smpp-interface.md §1–§2): every bind error in its order, maxBinds, the
 * allow-list, a suspended account, a revoked user, PDUs before the bind, and the bind_resp's system_id.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SMPP_STATUS } from '../../src/domain/smppRules.js';
import { DoorClient } from '../support/smppDoorClient.js';
import { startDoorGateway, type DoorGateway } from '../support/smppDoorGateway.js';
import { RawEsme } from '../support/smscEsme.js';

describe('SMPP door: binds', () => {
  let door: DoorGateway;
  const clients: DoorClient[] = [];
  const connect = async () => {
    const client = await DoorClient.connect(door.door.port);
    clients.push(client);
    return client;
  };
  before(async () => {
    door = await startDoorGateway();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await door.close();
  });

  it('binds as transceiver, transmitter and receiver, answering with the gateway system_id', async () => {
    const user = await door.user({ maxBinds: 3 });
    for (const mode of ['transceiver', 'transmitter', 'receiver'] as const) {
      const client = await connect();
      const resp = await client.request(`bind_${mode}`, { system_id: user.systemId, password: user.password, interface_version: 0x34 });
      assert.equal(resp.command_status, 0);
      assert.equal(resp.system_id, 'direct-gateway');
    }
  });

  it('answers 0x0F for an unknown or revoked system_id, 0x0E for a wrong password', async () => {
    const user = await door.user();
    assert.equal(await (await connect()).bind('nobody', 'whatever'), SMPP_STATUS.invalidSystemId);
    assert.equal(await (await connect()).bind(user.systemId, 'wrong123'), SMPP_STATUS.invalidPassword);
    await door.gateway.store.smppUsers.revoke(user.systemId, door.gateway.clock.now());
    assert.equal(await (await connect()).bind(user.systemId, user.password), SMPP_STATUS.invalidSystemId);
  });

  it('answers 0x05 to the bind over maxBinds, and takes one again once a session closes', async () => {
    const user = await door.user({ maxBinds: 2 });
    const first = await connect();
    assert.equal(await first.bind(user.systemId, user.password), 0);
    assert.equal(await (await connect()).bind(user.systemId, user.password), 0);
    assert.equal(await (await connect()).bind(user.systemId, user.password), SMPP_STATUS.alreadyBound);
    await first.close();
    let status = -1;
    for (let i = 0; i < 50 && status !== 0; i++) {
      status = await (await connect()).bind(user.systemId, user.password);
      if (status !== 0) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status, 0);
  });

  it('answers 0x0D to an address outside the allow-list, before the password is looked at', async () => {
    const user = await door.user({ allowList: ['10.0.0.0/8'] });
    assert.equal(await (await connect()).bind(user.systemId, 'wrong123'), SMPP_STATUS.bindFailed);
    const allowed = await door.user({ allowList: ['127.0.0.1/32'] });
    assert.equal(await (await connect()).bind(allowed.systemId, allowed.password), 0);
  });

  it('answers 0x0D when the account is suspended', async () => {
    const user = await door.user();
    await door.gateway.store.accounts.setSuspended(door.accountId, true);
    try {
      assert.equal(await (await connect()).bind(user.systemId, user.password), SMPP_STATUS.bindFailed);
    } finally {
      await door.gateway.store.accounts.setSuspended(door.accountId, false);
    }
  });

  it('ends the sessions of a user revoked while bound', async () => {
    const user = await door.user();
    const client = await connect();
    assert.equal(await client.bind(user.systemId, user.password), 0);
    await door.gateway.store.smppUsers.revoke(user.systemId, door.gateway.clock.now());
    const deadline = Date.now() + 20_000;
    while (!client.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(client.closed, 'the session was not ended within 20 s');
  });

  it('answers 0x0D to an unsupported interface_version and accepts 0x33 as 3.4', async () => {
    const user = await door.user();
    assert.equal(await (await connect()).bind(user.systemId, user.password, 'transceiver', { interface_version: 0x50 }), SMPP_STATUS.bindFailed);
    const client = await connect();
    const resp = await client.request('bind_transceiver', { system_id: user.systemId, password: user.password, interface_version: 0x33 });
    assert.equal(resp.command_status, 0);
  });

  it('answers ESME_RINVBNDSTS to a submit before the bind, and enquire_link at any time (raw PDUs)', async () => {
    const esme = await RawEsme.connect(door.door.port);
    try {
      const enquire = esme.send('enquire_link');
      assert.equal((await esme.response(enquire)).status, 0);
      const submit = esme.send('submit_sm', { destination_addr: '79990000001', short_message: Buffer.from('hi') });
      const resp = await esme.response(submit);
      assert.equal(resp.commandId, 0x80000004);
      assert.equal(resp.status, SMPP_STATUS.invalidBindStatus);
    } finally {
      esme.end();
    }
  });

  it('answers generic_nack ESME_RINVCMDID to an unknown command, echoing its sequence_number', async () => {
    const user = await door.user();
    const esme = await RawEsme.connect(door.door.port);
    try {
      assert.equal((await esme.bind('transceiver', { system_id: user.systemId, password: user.password })).status, 0);
      const { rawPdu } = await import('../support/smscEsme.js');
      esme.write(rawPdu(0x00000777, 4242));
      const nack = await esme.next((p) => p.sequence === 4242);
      assert.equal(nack.commandId, 0x80000000);
      assert.equal(nack.status, SMPP_STATUS.invalidCommandId);
    } finally {
      esme.end();
    }
  });
});
