import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP server on 127.0.0.1 that accepts every connection and never sends a byte: a receiver that hangs. */
export interface BlackHole {
  port: number;
  /** Connections accepted since the start. */
  accepted: number;
  /** Connections open now. */
  open(): number;
  /** Drops every connection (the sender sees a reset) and stops listening. */
  close(): Promise<void>;
}

export async function startBlackHole(): Promise<BlackHole> {
  const sockets = new Set<net.Socket>();
  const hole = {
    port: 0,
    accepted: 0,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer((socket) => {
    hole.accepted += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.resume(); // reads the request and ignores it
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hole.port = (server.address() as AddressInfo).port;
  return hole;
}
