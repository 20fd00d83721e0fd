/**
 * A client ESME for the SMPP door's tests, on the `smpp` npm library's own client session (an independent SMPP
 * stack: it encodes and decodes every PDU itself). Promises around its callbacks; every deliver_sm is recorded and
 * answered with `deliverStatus` (or not at all when it is null).
 */
import smpp from 'smpp';

export interface DoorPdu {
  command: string;
  command_status: number;
  [field: string]: unknown;
}

export type BindMode = 'transceiver' | 'transmitter' | 'receiver';

export class DoorClient {
  readonly delivers: DoorPdu[] = [];
  /** The status deliver_sm are answered with; null: not answered. */
  deliverStatus: number | null = 0;
  closed = false;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly session: smpp.Session) {
    session.on('deliver_sm', (pdu: smpp.PDU) => {
      this.delivers.push(pdu as unknown as DoorPdu);
      if (this.deliverStatus !== null) session.send(pdu.response({ command_status: this.deliverStatus }));
      this.wakeAll();
    });
    session.on('error', () => {});
    session.on('close', () => {
      this.closed = true;
      this.wakeAll();
    });
  }

  static connect(port: number, options: { tls?: { ca: string } } = {}): Promise<DoorClient> {
    return new Promise((resolve, reject) => {
      const settings: Record<string, unknown> = { host: '127.0.0.1', port, auto_enquire_link_period: 0 };
      if (options.tls) Object.assign(settings, { tls: true, ca: options.tls.ca, servername: 'localhost' });
      const session = smpp.connect(settings as smpp.ConnectOptions, () => resolve(new DoorClient(session)));
      session.once('error', reject);
    });
  }

  private wakeAll(): void {
    for (const wake of this.waiters) wake();
  }

  request(command: string, fields: Record<string, unknown> = {}): Promise<DoorPdu> {
    return new Promise((resolve, reject) => {
      const sent = this.session.send(new smpp.PDU(command, fields), (pdu) => resolve(pdu as unknown as DoorPdu));
      if (!sent) reject(new Error(`${command} not sent: the session is closed`));
    });
  }

  async bind(systemId: string, password: string, mode: BindMode = 'transceiver', fields: Record<string, unknown> = {}): Promise<number> {
    const resp = await this.request(`bind_${mode}`, { system_id: systemId, password, interface_version: 0x34, ...fields });
    return resp.command_status;
  }

  /** submit_sm with GSM text by default (short_message as a Buffer, data_coding 0). */
  async submit(fields: Record<string, unknown>): Promise<{ status: number; messageId: string }> {
    const resp = await this.request('submit_sm', { data_coding: 0, ...fields });
    return { status: resp.command_status, messageId: typeof resp.message_id === 'string' ? resp.message_id : '' };
  }

  /** Waits until at least `count` deliver_sm arrived (or the predicate holds), up to `timeoutMs`. */
  async waitDelivers(count: number, timeoutMs = 10_000): Promise<DoorPdu[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.delivers.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.delivers.length} of ${count} deliver_sm within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 100));
        const waiters = this.waiters;
        function done(): void {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
    return this.delivers;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.session.once('close', () => resolve());
      this.session.destroy();
    });
  }

  async unbind(): Promise<number> {
    const resp = await this.request('unbind');
    return resp.command_status;
  }
}

/** The text fields of a receipt's short_message (`id:… stat:… err:… text:…`). */
export function receiptFields(pdu: DoorPdu): Record<string, string> {
  const short = pdu.short_message as { message?: string } | Buffer | string;
  const text = Buffer.isBuffer(short) ? short.toString('ascii') : typeof short === 'string' ? short : String(short?.message ?? '');
  const fields: Record<string, string> = {};
  for (const m of text.matchAll(/(id|sub|dlvrd|submit date|done date|stat|err|text):(\S*)/g)) fields[m[1]!] = m[2]!;
  return fields;
}
