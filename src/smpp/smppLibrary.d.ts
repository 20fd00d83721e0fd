/**
 * Types for the parts of the `smpp` npm library (0.5.1, CommonJS, no published types) that we use.
 * Import it as `import smpp from 'smpp'`.
 *
 * Notes on its behaviour (node_modules/smpp/lib):
 * - A PDU's fields are plain properties named as in the SMPP specification (`short_message`, `esm_class`, TLVs
 *   such as `receipted_message_id`, `message_state`, `network_error_code`, `message_payload`, `sar_msg_ref_num`).
 * - Give `short_message` / `message_payload` as a Buffer with an explicit `data_coding`: a string is re-encoded
 *   (GSM 03.38 unpacked for data_coding 0; without data_coding it picks 0x01 for GSM text, a mislabel).
 * - Received short_message / message_payload are decoded to `{ message, udh? }` when the PDU has data_coding;
 *   validity_period / schedule_delivery_time are decoded to a Date.
 * - Binds default to interface_version 0x50 (SMPP 5.0): pass 0x34 for SMPP 3.4.
 * - An error response (command_status ≠ 0) is header only.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  namespace smpp {
    type PduFields = Record<string, unknown>;

    class PDU {
      constructor(command: string, options?: PduFields);
      constructor(buffer: Buffer);
      command: string;
      command_length: number;
      command_id: number;
      command_status: number;
      sequence_number: number;
      [field: string]: unknown;
      isResponse(): boolean;
      response(options?: PduFields): PDU;
      toBuffer(): Buffer;
      static fromBuffer(buffer: Buffer): PDU | false;
      static maxLength: number;
    }

    type ResponseCallback = (pdu: PDU) => void;
    type Shortcut = (options?: PduFields | ResponseCallback, responseCallback?: ResponseCallback, sendCallback?: ResponseCallback) => boolean;

    class Session extends EventEmitter {
      constructor(options: Record<string, unknown>);
      socket: Socket;
      sequence: number;
      paused: boolean;
      server?: Server;
      send(pdu: PDU, responseCallback?: ResponseCallback, sendCallback?: ResponseCallback): boolean;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
      connect(): void;
      pause(): void;
      resume(): void;
      bind_transceiver: Shortcut;
      bind_transmitter: Shortcut;
      bind_receiver: Shortcut;
      submit_sm: Shortcut;
      deliver_sm: Shortcut;
      enquire_link: Shortcut;
      unbind: Shortcut;
      generic_nack: Shortcut;
    }

    class Server extends NetServer {
      sessions: Session[];
    }

    interface ServerOptions {
      key?: string | Buffer;
      cert?: string | Buffer;
      [option: string]: unknown;
    }

    interface ConnectOptions {
      url?: string;
      host?: string;
      port?: number;
      tls?: boolean;
      auto_enquire_link_period?: number;
      [option: string]: unknown;
    }

    function createServer(options?: ServerOptions | ((session: Session) => void), listener?: (session: Session) => void): Server;
    function connect(options?: string | ConnectOptions, listener?: () => void): Session;

    const errors: Record<string, number>;
    const consts: Record<string, Record<string, number>>;
    const ESME_ROK: number;
    const ESME_RINVMSGLEN: number;
    const ESME_RINVCMDLEN: number;
    const ESME_RINVCMDID: number;
    const ESME_RINVBNDSTS: number;
    const ESME_RALYBND: number;
    const ESME_RSYSERR: number;
    const ESME_RINVSRCADR: number;
    const ESME_RINVDSTADR: number;
    const ESME_RBINDFAIL: number;
    const ESME_RINVPASWD: number;
    const ESME_RINVSYSID: number;
    const ESME_RMSGQFUL: number;
    const ESME_RTHROTTLED: number;
    const ESME_RSUBMITFAIL: number;
    const ESME_RINVESMCLASS: number;
    const ESME_RINVEXPIRY: number;
    const ESME_RX_T_APPN: number;
    const ESME_RUNKNOWNERR: number;
    const ESM_CLASS: Record<string, number>;
    const MESSAGE_STATE: Record<string, number>;
    const REGISTERED_DELIVERY: Record<string, number>;
    const TON: Record<string, number>;
    const NPI: Record<string, number>;
    const ENCODING: Record<string, number>;
    const encodings: Record<string, unknown> & { default: string };
  }

  export = smpp;
}
