// The live feed: `returnEvents(after:)` over graphql-transport-ws, through the graphql-ws
// client (vendored, loaded by the page as window.graphqlWs). When the socket drops for any
// reason (server restart, network, an expired token closing it with 4403, a lagging reader
// closed with 4429) the feed says so, waits with exponential backoff and subscribes again
// after the last position it handed on, so the server replays exactly what was missed.
// Positions only grow: an event at or below the last one is never handed on twice.

const FIRST_WAIT_MS = 500;
const LONGEST_WAIT_MS = 10_000;
const EXPIRED_TOKEN = 4403;

export class LiveFeed {
  constructor({ url, session, api, after, onEvents, onState }) {
    Object.assign(this, { url, session, api, onEvents, onState });
    this.position = BigInt(after);
    this.attempt = 0;
    this.stopped = false;
    this.resumedAfter = [];
    this.received = []; // the newest positions handed on, for whoever checks nothing came twice
    this.batch = [];
  }

  async start() {
    this.document = await this.api.document("ReturnEvents");
    this.connect();
  }

  connect() {
    if (this.stopped) return;
    const after = this.position.toString();
    this.resumedAfter.push(after);
    this.onState({ state: "connecting", attempt: this.attempt });
    const client = window.graphqlWs.createClient({
      url: this.url,
      lazy: false,
      retryAttempts: 0, // the feed retries itself, so each try resumes from the newest position
      keepAlive: 10_000,
      // The upgrade carries the session cookie; connection_init proves the page is ours.
      connectionParams: () => this.session.headers(),
      on: {
        connected: () => {
          const resumed = this.attempt > 0;
          this.attempt = 0;
          this.onState({ state: "live", resumed, position: after });
        },
        closed: (event) => {
          if (event?.code === EXPIRED_TOKEN) this.session.renew().catch(() => this.api.onEnded());
        },
      },
      onNonLazyError: () => {},
    });
    this.client = client;
    client.subscribe(
      { query: this.document, variables: { after }, operationName: "ReturnEvents" },
      {
        next: ({ data }) => data?.returnEvents && this.receive(data.returnEvents),
        error: () => this.retry(client),
        complete: () => this.retry(client),
      },
    );
  }

  /** Events arriving together are handed on together, so the page redraws once. */
  receive(event) {
    const position = BigInt(event.position);
    if (position <= this.position) return;
    this.position = position;
    this.received.push(event.position);
    if (this.received.length > 1000) this.received.shift();
    this.batch.push(event);
    if (this.batch.length === 1) {
      setTimeout(() => {
        const events = this.batch;
        this.batch = [];
        this.onEvents(events);
      }, 0);
    }
  }

  retry(client) {
    if (client !== this.client || this.stopped) return;
    this.client = null;
    client.dispose();
    const base = Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** this.attempt);
    const wait = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt += 1;
    this.onState({ state: "lost", attempt: this.attempt, wait });
    setTimeout(() => this.connect(), wait);
  }

  stop() {
    this.stopped = true;
    this.client?.dispose();
  }
}
