/** The UDP transport (RFC 3261 §18): one socket for every call, and resolution of a host to an address. */
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export interface Destination {
  address: string;
  port: number;
}

export interface UdpTransport {
  readonly family: 4 | 6;
  readonly address: string;
  readonly port: number;
  /** Sends one datagram; onError reports a transport error (RFC 3261 §8.1.3.1, §17.1.4). */
  send(data: Buffer, to: Destination, onError?: (error: Error) => void): void;
  close(): Promise<void>;
}

export interface UdpTransportOptions {
  address: string;
  /** 0 = any free port. */
  port: number;
  onDatagram(data: Buffer, from: Destination): void;
  /** Socket errors after binding (send errors go to send's onError). */
  onError?(error: Error): void;
}

export async function openUdpTransport(options: UdpTransportOptions): Promise<UdpTransport> {
  const family = isIP(options.address) === 6 ? 6 : 4;
  // A burst of calls brings a burst of responses: the default receive buffer drops them (the kernel caps this
  // at net.core.rmem_max).
  const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port, options.address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', (error) => options.onError?.(error));
  socket.on('message', (data, remote) => options.onDatagram(data, { address: remote.address, port: remote.port }));
  const bound = socket.address();
  let closed = false;
  return {
    family,
    address: bound.address,
    port: bound.port,
    send(data, to, onError) {
      if (closed) return;
      socket.send(data, to.port, to.address, (error) => {
        if (error) onError?.(error);
      });
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

/** An IP literal as is; a name through the system resolver (RFC 3263's SRV/NAPTR steps are not used). */
export async function resolveDestination(host: string, port: number, family: 4 | 6 = 4): Promise<Destination> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) return { address: bare, port };
  const found = await lookup(bare, { family });
  return { address: found.address, port };
}
