// A TCP proxy between a connection pool and PostgreSQL that a test can cut and restore, so "the database
// went away" happens deterministically against the real server.
import net from 'node:net';

type Mode = 'forward' | 'stall' | 'refuse';

interface Pair {
  client: net.Socket;
  upstream: net.Socket | null;
}

export class TcpProxy {
  #mode: Mode = 'forward';
  readonly #pairs = new Set<Pair>();

  private constructor(
    private readonly server: net.Server,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = net.createServer();
    const proxy = new TcpProxy(server, target);
    server.on('connection', (socket) => proxy.#accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Open client connections right now (forwarded or held). */
  get connections(): number {
    return this.#pairs.size;
  }

  /**
   * A network partition: bytes stop flowing on every open connection, and new connections are
   * accepted but never answered. Nothing is closed, so only timeouts can tell.
   */
  stall(): void {
    this.#mode = 'stall';
    for (const p of this.#pairs) {
      p.client.unpipe();
      p.upstream?.unpipe();
      p.client.pause();
      p.upstream?.pause();
    }
  }

  /** The server is gone: every connection is reset and new ones are refused at once. */
  async cut(): Promise<void> {
    this.#mode = 'refuse';
    await this.#destroyAll();
  }

  /** The database is back. Connections that lived through a stall are desynchronised, so they are closed. */
  async restore(): Promise<void> {
    this.#mode = 'forward';
    await this.#destroyAll();
  }

  async close(): Promise<void> {
    this.#mode = 'refuse';
    await this.#destroyAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #accept(client: net.Socket): void {
    client.on('error', () => undefined);
    if (this.#mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, upstream: null };
    this.#pairs.add(pair);
    client.on('close', () => {
      this.#pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (this.#mode === 'stall') {
      client.pause();
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async #destroyAll(): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const p of this.#pairs) {
      closing.push(new Promise((resolve) => (p.client.destroyed ? resolve() : p.client.once('close', () => resolve()))));
      p.upstream?.destroy();
      p.client.resetAndDestroy();
    }
    await Promise.all(closing);
  }
}
