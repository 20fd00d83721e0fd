/**
 * A lean client ESME for load against the SMPP door: submits are encoded beforehand by the `smpp` library (an
 * independent SMPP stack), written on a plain net.Socket with a fixed window of outstanding submits, and the
 * answers are framed and read here by hand (header, message_id; deliver_sm answered at once with its
 * receipted_message_id kept), so that the client costs little next to the gateway. Used by the crash test and
 * the bench.
 */
import net from 'node:net';
import { once } from 'node:events';
import smpp from 'smpp';
import { PduFramer } from '../../src/smpp/pduFraming.js';

const SUBMIT_SM_RESP = 0x80000004;
const DELIVER_SM = 0x00000005;
const ENQUIRE_LINK = 0x00000015;
const RESP = 0x80000000;
const RECEIPTED_MESSAGE_ID = 0x001e;

/** One submit's answer. */
export interface SubmitAnswer {
  status: number;
  messageId: string;
}

/** Encodes a PDU with the given sequence_number. */
export function encodePdu(command: string, fields: Record<string, unknown>, sequence: number): Buffer {
  const raw = new smpp.PDU(command, fields).toBuffer();
  raw.writeUInt32BE(sequence >>> 0, 12);
  return raw;
}

function header(commandId: number, sequence: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const raw = Buffer.alloc(16 + body.length);
  raw.writeUInt32BE(raw.length, 0);
  raw.writeUInt32BE(commandId >>> 0, 4);
  raw.writeUInt32BE(0, 8);
  raw.writeUInt32BE(sequence >>> 0, 12);
  body.copy(raw, 16);
  return raw;
}

/** The receipted_message_id of a deliver_sm (TLV 0x001E), or the `id:` of its short_message text; '' if neither. */
export function receiptedId(raw: Buffer): string {
  let at = 16;
  const cstring = () => {
    const end = raw.indexOf(0, at);
    at = end < 0 ? raw.length : end + 1;
  };
  cstring(); // service_type
  at += 2;
  cstring(); // source_addr
  at += 2;
  cstring(); // destination_addr
  at += 3; // esm_class, protocol_id, priority_flag
  cstring(); // schedule_delivery_time
  cstring(); // validity_period
  at += 4; // registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id
  if (at >= raw.length) return '';
  const smLength = raw[at]!;
  const shortMessage = raw.subarray(at + 1, at + 1 + smLength);
  at += 1 + smLength;
  while (at + 4 <= raw.length) {
    const tag = raw.readUInt16BE(at);
    const length = raw.readUInt16BE(at + 2);
    if (tag === RECEIPTED_MESSAGE_ID) {
      const value = raw.subarray(at + 4, at + 4 + length);
      const end = value.indexOf(0);
      return value.toString('latin1', 0, end < 0 ? value.length : end);
    }
    at += 4 + length;
  }
  return /id:(\S+)/.exec(shortMessage.toString('latin1'))?.[1] ?? '';
}

export class LeanEsme {
  /** receipted ids in arrival order (duplicates kept). */
  readonly receipts: string[] = [];
  readonly receiptTimes: number[] = [];
  readonly closed: Promise<void>;
  isClosed = false;
  /** Called for every submit_sm_resp. */
  onSubmitAnswer: ((sequence: number, answer: SubmitAnswer) => void) | null = null;
  onReceipt: ((id: string) => void) | null = null;
  private readonly framer = new PduFramer();
  private readonly others = new Map<number, (raw: Buffer) => void>();
  private sequence = 0x7000_0000;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<LeanEsme> {
    const socket = net.connect({ host, port });
    await once(socket, 'connect');
    return new LeanEsme(socket);
  }

  private read(chunk: Buffer): void {
    const answers: Buffer[] = [];
    for (const raw of this.framer.push(chunk)) {
      const commandId = raw.readUInt32BE(4);
      const sequence = raw.readUInt32BE(12);
      if (commandId === SUBMIT_SM_RESP && this.onSubmitAnswer) {
        const end = raw.indexOf(0, 16);
        const messageId = raw.length > 16 ? raw.toString('latin1', 16, end < 0 ? raw.length : end) : '';
        this.onSubmitAnswer(sequence, { status: raw.readUInt32BE(8), messageId });
      } else if (commandId === DELIVER_SM) {
        answers.push(header(0x80000005, sequence, Buffer.from([0])));
        const id = receiptedId(raw);
        this.receipts.push(id);
        this.receiptTimes.push(performance.now());
        this.onReceipt?.(id);
      } else if (commandId === ENQUIRE_LINK) {
        answers.push(header(0x80000015, sequence));
      } else if ((commandId & RESP) !== 0) {
        const waiter = this.others.get(sequence);
        this.others.delete(sequence);
        waiter?.(raw);
      }
    }
    if (answers.length > 0 && !this.isClosed) this.socket.write(answers.length === 1 ? answers[0]! : Buffer.concat(answers));
  }

  /** Sends a PDU and resolves with its response's raw octets. */
  request(command: string, fields: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<Buffer> {
    const sequence = ++this.sequence;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.others.delete(sequence);
        reject(new Error(`${command}: no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.others.set(sequence, (raw) => {
        clearTimeout(timer);
        resolve(raw);
      });
      void this.closed.then(() => {
        if (!this.others.delete(sequence)) return;
        clearTimeout(timer);
        reject(new Error(`${command}: connection closed`));
      });
      this.socket.write(encodePdu(command, fields, sequence));
    });
  }

  async bind(systemId: string, password: string, mode: 'transmitter' | 'receiver' | 'transceiver' = 'transceiver'): Promise<number> {
    const raw = await this.request(`bind_${mode}`, { system_id: systemId, password, interface_version: 0x34 });
    return raw.readUInt32BE(8);
  }

  /**
   * Writes `pdus` (pre-encoded submit_sm, sequence numbers 1..n by index + 1) keeping at most `window` unanswered;
   * resolves when every one was answered or the connection closed. The answers, by index (undefined: none).
   */
  submitAll(pdus: Buffer[], window: number): Promise<(SubmitAnswer | undefined)[]> {
    const answers: (SubmitAnswer | undefined)[] = new Array(pdus.length);
    let next = 0;
    let answered = 0;
    return new Promise((resolve) => {
      const finish = () => {
        this.onSubmitAnswer = null;
        resolve(answers);
      };
      const writeMore = (count: number) => {
        const end = Math.min(pdus.length, next + count);
        if (end <= next || this.isClosed) return;
        this.socket.write(end - next === 1 ? pdus[next]! : Buffer.concat(pdus.slice(next, end)));
        next = end;
      };
      let freed = 0;
      let flushScheduled = false;
      this.onSubmitAnswer = (sequence, answer) => {
        const index = sequence - 1;
        if (index < 0 || index >= pdus.length || answers[index] !== undefined) return;
        answers[index] = answer;
        answered++;
        freed++;
        if (answered === pdus.length) return finish();
        // The answers of one read are answered with one write.
        if (!flushScheduled) {
          flushScheduled = true;
          queueMicrotask(() => {
            flushScheduled = false;
            const n = freed;
            freed = 0;
            writeMore(n);
          });
        }
      };
      void this.closed.then(finish);
      if (pdus.length === 0) return finish();
      writeMore(window);
    });
  }

  async unbind(): Promise<void> {
    await this.request('unbind').catch(() => undefined);
    this.socket.destroy();
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }
}
