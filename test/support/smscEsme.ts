/**
 * A raw ESME for the SMSC session server's tests (src/smpp/server/): a TCP (or TLS) socket that writes PDUs the
 * `smpp` library encodes and frames what comes back itself, so that the exact octets (command_id,
 * sequence_number, command_status) are checked, including what the library's own client would hide.
 */
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import smpp from 'smpp';
import { PduFramer } from '../../src/smpp/pduFraming.js';

export interface ReceivedPdu {
  raw: Buffer;
  commandId: number;
  status: number;
  sequence: number;
  /** The library's reading (command name, fields). */
  pdu: smpp.PDU;
}

export class RawEsme {
  readonly received: ReceivedPdu[] = [];
  readonly closed: Promise<void>;
  isClosed = false;
  private readonly framer = new PduFramer();
  private readonly waiters = new Set<() => void>();
  private sequence = 0;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const raw of this.framer.push(chunk)) {
        const pdu = smpp.PDU.fromBuffer(raw);
        if (!pdu) throw new Error('unreadable PDU from the server');
        this.received.push({ raw, commandId: raw.readUInt32BE(4), status: raw.readUInt32BE(8), sequence: raw.readUInt32BE(12), pdu });
      }
      for (const wake of this.waiters) wake();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        for (const wake of this.waiters) wake();
        resolve();
      }),
    );
  }

  static async connect(port: number, secure?: { ca: string }): Promise<RawEsme> {
    if (secure) {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: secure.ca });
      await once(socket, 'secureConnect');
      return new RawEsme(socket);
    }
    const socket = net.connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    return new RawEsme(socket);
  }

  /** Encodes and writes a PDU; returns its sequence_number. */
  send(command: string, fields: Record<string, unknown> = {}, sequence = ++this.sequence): number {
    this.socket.write(encode(command, fields, sequence));
    return sequence;
  }

  write(raw: Buffer): void {
    this.socket.write(raw);
  }

  /** The first PDU received (from `from` on) that matches; waits up to `timeoutMs`. */
  async next(match: string | ((pdu: ReceivedPdu) => boolean), timeoutMs = 2000, from = 0): Promise<ReceivedPdu> {
    const test = typeof match === 'string' ? (p: ReceivedPdu) => p.pdu.command === match : match;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find(test);
      if (found) return found;
      if (this.isClosed) throw new Error(`connection closed before ${String(match)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`nothing matched ${String(match)} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        const waiters = this.waiters;
        function done(): void {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  /** Binds and returns the bind_resp. */
  async bind(mode: 'transmitter' | 'receiver' | 'transceiver' = 'transceiver', fields: Record<string, unknown> = {}): Promise<ReceivedPdu> {
    const sequence = this.send(`bind_${mode}`, { system_id: 'esme1', password: 'secret12', system_type: '', interface_version: 0x34, ...fields });
    return this.next((p) => p.sequence === sequence && p.pdu.command === `bind_${mode}_resp`);
  }

  /** The response to the request sent with `sequence`. */
  response(sequence: number, timeoutMs = 2000): Promise<ReceivedPdu> {
    return this.next((p) => p.sequence === sequence && (p.commandId & 0x80000000) !== 0, timeoutMs);
  }

  end(): void {
    this.socket.destroy();
  }
}

export function encode(command: string, fields: Record<string, unknown>, sequence: number): Buffer {
  const raw = new smpp.PDU(command, fields).toBuffer();
  raw.writeUInt32BE(sequence, 12);
  return raw;
}

/** A raw PDU with any command_id and an optional body. */
export function rawPdu(commandId: number, sequence: number, body: Buffer = Buffer.alloc(0), status = 0): Buffer {
  const raw = Buffer.alloc(16 + body.length);
  raw.writeUInt32BE(raw.length, 0);
  raw.writeUInt32BE(commandId >>> 0, 4);
  raw.writeUInt32BE(status, 8);
  raw.writeUInt32BE(sequence, 12);
  body.copy(raw, 16);
  return raw;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `condition` holds (checked every 5 ms), up to `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await delay(5);
  }
}
