import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';

/** Local UDP ports for RTP: even numbers only (RFC 3550 §11; the odd neighbour is RTCP's), from a configured range. */

export interface RtpPortPoolOptions {
  min: number;
  max: number;
  /** Local address to bind; all IPv4 interfaces by default. */
  address?: string;
}

export interface RtpPort {
  port: number;
  socket: dgram.Socket;
  /** Closes the socket; the port returns to the pool (it does too if the socket is closed directly). */
  close(): Promise<void>;
}

export interface RtpPortPool {
  allocate(): Promise<RtpPort>;
  readonly inUse: number;
  readonly capacity: number;
}

export class RtpPortsExhaustedError extends Error {
  constructor(min: number, max: number, inUse: number) {
    super(`no free RTP port in ${min}-${max}: ${inUse} in use by this gateway, the rest taken by other processes`);
    this.name = 'RtpPortsExhaustedError';
  }
}

export function createRtpPortPool(options: RtpPortPoolOptions): RtpPortPool {
  const { min, max } = options;
  const address = options.address ?? '0.0.0.0';
  const firstEven = min + (min % 2);
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || firstEven > max) {
    throw new RangeError(`RTP port range ${min}-${max} holds no even port in 1-65535`);
  }
  const capacity = Math.floor((max - firstEven) / 2) + 1;
  const taken = new Set<number>();
  // Rotate through the range so a just-released port is not reused at once (late packets of the old call).
  let cursor = 0;

  async function allocate(): Promise<RtpPort> {
    for (let tries = 0; tries < capacity; tries++) {
      const port = firstEven + 2 * ((cursor + tries) % capacity);
      if (taken.has(port)) continue;
      taken.add(port); // reserved before the bind, so concurrent allocations never pick the same port
      const socket = await bindOrUndefined(port, address);
      if (!socket) {
        taken.delete(port); // another process holds it
        continue;
      }
      cursor = (cursor + tries + 1) % capacity;
      socket.once('close', () => taken.delete(port));
      return { port, socket, close: () => closeSocket(socket) };
    }
    throw new RtpPortsExhaustedError(min, max, taken.size);
  }

  return {
    allocate,
    get inUse() {
      return taken.size;
    },
    capacity,
  };
}

function bindOrUndefined(port: number, address: string): Promise<dgram.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    const onError = () => {
      socket.close();
      resolve(undefined);
    };
    socket.once('error', onError);
    socket.bind(port, address, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

export function closeSocket(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}
