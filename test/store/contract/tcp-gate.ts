/**
 * A TCP forwarder to the test database that a test can shut and open again: a real connection
 * failure between the store and PostgreSQL, without touching the server.
 */
import net from 'node:net';

export interface TcpGate {
  /** A connection string through the gate to `url`'s database. */
  readonly url: string;
  /** Refuses new connections and cuts the open ones. */
  shut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  open(): Promise<void>;
  close(): Promise<void>;
}

export async function tcpGate(url: string): Promise<TcpGate> {
  const target = new URL(url);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const each of [socket, upstream]) {
      sockets.add(each);
      each.on('close', () => sockets.delete(each));
      each.on('error', () => {});
    }
    socket.pipe(upstream).pipe(socket);
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the gate has no port');
  const { port } = address;
  const through = new URL(url);
  through.hostname = '127.0.0.1';
  through.port = String(port);
  const shut = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    url: through.toString(),
    shut,
    open: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    async close() {
      if (server.listening) await shut();
    },
  };
}
