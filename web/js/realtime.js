// The websocket client (GET /ws), the way Zulip does it:
//   subscribe first (the server answers with the current last_event_id), then load the state over REST while
//   buffering the events that arrive meanwhile, then apply the buffer and continue live. On reconnect,
//   subscribe again with the last applied event id: the server replays what was missed, in order. Events are
//   dropped when their id is not larger than the last applied one, so a replay never applies anything twice.
//
// Two sockets, so that each one carries strictly increasing event ids:
//   - the inbox socket holds the workspace-wide inbox subscription (the lead list);
//   - the lead socket holds one subscription per lead: the open lead (its events drive the lead view) and the
//     leads visible in the list, whose subscriptions are used only for presence ("Dana is viewing").
// On one socket the inbox stream and a lead stream would interleave, and the largest id seen would no
// longer be a safe point to resume from.

const PING_MS = 15000;
const WATCHDOG_MS = 5000;
const SILENCE_LIMIT_MS = 40000; // no frame at all (not even a pong) for this long: the socket is dead
const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000, 10000];

function socketUrl() {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${window.location.host}/ws`;
}

/** One websocket with reconnect (backoff with jitter), pings and a silence watchdog. */
export class Socket {
  constructor(name, { onOpen, onMessage, onClose, onState, onHandshakeRefused }) {
    this.name = name;
    this.handlers = { onOpen, onMessage, onClose, onState, onHandshakeRefused };
    this.ws = null;
    this.state = 'idle'; // idle | connecting | live | reconnecting | closed
    this.attempt = 0;
    this.failedBeforeOpen = 0;
    this.held = false;
    this.closed = false;
    this.lastFrameAt = 0;
    this.reconnectTimer = null;
    this.pingTimer = setInterval(() => this.ping(), PING_MS);
    this.watchdogTimer = setInterval(() => this.watchdog(), WATCHDOG_MS);
    this.onOnline = () => {
      if (!this.closed && !this.held && this.state !== 'live' && this.state !== 'connecting') this.connectNow();
    };
    window.addEventListener('online', this.onOnline);
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    if (this.handlers.onState) this.handlers.onState(state);
  }

  connect() {
    if (this.closed || this.held || this.ws) return;
    this.setState(this.attempt === 0 && this.state === 'idle' ? 'connecting' : 'reconnecting');
    let opened = false;
    const ws = new WebSocket(socketUrl());
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      opened = true;
      this.attempt = 0;
      this.failedBeforeOpen = 0;
      this.lastFrameAt = Date.now();
      this.setState('live');
      if (this.handlers.onOpen) this.handlers.onOpen();
    });
    ws.addEventListener('message', (message) => {
      if (this.ws !== ws) return;
      this.lastFrameAt = Date.now();
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (frame && frame.type !== 'pong' && this.handlers.onMessage) this.handlers.onMessage(frame);
    });
    ws.addEventListener('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.handlers.onClose) this.handlers.onClose();
      if (this.closed) return;
      if (!opened) {
        this.failedBeforeOpen += 1;
        if (this.failedBeforeOpen >= 2 && this.handlers.onHandshakeRefused) this.handlers.onHandshakeRefused();
      }
      this.scheduleReconnect();
    });
  }

  connectNow() {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.connect();
  }

  scheduleReconnect() {
    if (this.closed) return;
    this.setState('reconnecting');
    if (this.held) return;
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    const delay = base * (0.8 + Math.random() * 0.4);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  ping() {
    if (this.state === 'live') this.send({ type: 'ping' });
  }

  watchdog() {
    if (this.state === 'live' && this.ws && Date.now() - this.lastFrameAt > SILENCE_LIMIT_MS) {
      this.ws.close(4000, 'silent');
    }
  }

  /** Cut the connection (tests, or a "reconnect now" button). With hold, stay offline until resume(). */
  drop({ hold = false } = {}) {
    this.held = hold;
    clearTimeout(this.reconnectTimer);
    if (this.ws) this.ws.close(4001, 'dropped by client');
    else if (!hold) this.scheduleReconnect();
  }

  resume() {
    this.held = false;
    this.attempt = 0;
    if (!this.ws) this.connectNow();
  }

  close() {
    this.closed = true;
    clearInterval(this.pingTimer);
    clearInterval(this.watchdogTimer);
    clearTimeout(this.reconnectTimer);
    window.removeEventListener('online', this.onOnline);
    if (this.ws) this.ws.close(1000, 'bye');
    this.ws = null;
    this.setState('closed');
  }
}

/**
 * One resumable stream: REST snapshot + the events after it.
 *   load():    fetch the state over REST (runs after the server acknowledged the subscription)
 *   apply(ev): apply one event (ids strictly increasing, each applied once)
 */
export class Feed {
  constructor(name, { load, apply, onPhase }) {
    this.name = name;
    this.load = load;
    this.apply = apply;
    this.onPhase = onPhase;
    this.lastId = null; // the last applied event id; null: the state must be (re)loaded over REST
    this.phase = 'idle'; // idle | subscribing | loading | live | failed
    this.buffer = [];
    this.generation = 0;
    this.serial = 0; // which subscribe frame the next acknowledgement must answer
    this.retry = null; // set by the owner: what to do after a failed load
  }

  setPhase(phase) {
    this.phase = phase;
    if (this.onPhase) this.onPhase(phase);
  }

  /** The frame's last_event_id: null for a fresh load, else resume after the last applied event. */
  resumeFrom() {
    return this.lastId;
  }

  /** A subscribe frame is about to be sent; returns its serial, to be matched by acknowledged(). */
  subscribing() {
    this.buffer = [];
    this.setPhase('subscribing');
    this.serial += 1;
    return this.serial;
  }

  acknowledged(ack, serial) {
    // An answer to an older subscribe frame (filters changed, or a reload) is not this subscription's.
    if (this.phase !== 'subscribing' || serial !== this.serial) return;
    if (this.lastId !== null) {
      this.setPhase('live'); // resumed: the missed events follow, in order
      return;
    }
    this.lastId = typeof ack.last_event_id === 'number' ? ack.last_event_id : 0;
    this.setPhase('loading');
    const generation = ++this.generation;
    Promise.resolve()
      .then(() => this.load())
      .then(
        () => {
          if (generation !== this.generation) return;
          this.setPhase('live');
          const pending = this.buffer;
          this.buffer = [];
          for (const event of pending) this.receive(event);
        },
        (error) => {
          if (generation !== this.generation) return;
          this.lastId = null;
          this.buffer = [];
          this.setPhase('failed');
          console.warn(`[realtime] ${this.name}: loading failed`, error);
          if (this.retry) this.retry(error);
        },
      );
  }

  receive(event) {
    if (this.phase === 'subscribing' || this.phase === 'loading') {
      this.buffer.push(event);
      return;
    }
    if (this.phase !== 'live') return;
    if (typeof event.id !== 'number' || event.id <= this.lastId) return; // a duplicate (replay overlap)
    this.lastId = event.id;
    this.apply(event);
  }

  disconnected() {
    // An interrupted load starts over on the next connection; a live feed resumes from its last event.
    if (this.phase === 'loading') {
      this.generation += 1;
      this.lastId = null;
    }
    this.buffer = [];
    if (this.phase !== 'failed') this.setPhase('idle');
  }

  /** The server cannot replay that far back: drop the state and load it again. */
  resync() {
    this.generation += 1;
    this.lastId = null;
    this.buffer = [];
    this.setPhase('idle');
  }
}

/** The app's real-time connection: the inbox feed, the open lead's feed, presence. */
export class Realtime {
  constructor({ onState, onAuthLost }) {
    this.onState = onState;
    this.onAuthLost = onAuthLost;
    this.inboxFeed = null;
    this.inboxAcks = []; // serials of the subscribe_inbox frames not answered yet
    this.openLead = null; // {id, feed, onPresence, onNotFound}
    this.watched = new Map(); // lead ids the list shows (presence only)
    this.pendingAcks = new Map(); // lead id -> [{role: 'open' | 'watch', serial}] in the order the frames went out
    this.presence = null; // {leadId, state, channel}: re-sent after a reconnect
    this.presenceByLead = new Map(); // lead id -> viewers (last known)
    this.presenceListeners = new Set();

    const refused = () => {
      if (this.onAuthLost) this.onAuthLost();
    };
    this.inboxSocket = new Socket('inbox', {
      onOpen: () => this.subscribeInbox(),
      onMessage: (frame) => this.onInboxFrame(frame),
      onClose: () => {
        this.inboxAcks = [];
        if (this.inboxFeed) this.inboxFeed.disconnected();
      },
      onState: () => this.emitState(),
      onHandshakeRefused: refused,
    });
    this.leadSocket = new Socket('leads', {
      onOpen: () => this.subscribeLeads(),
      onMessage: (frame) => this.onLeadFrame(frame),
      onClose: () => {
        this.pendingAcks.clear();
        if (this.openLead) this.openLead.feed.disconnected();
      },
      onState: () => this.emitState(),
      onHandshakeRefused: refused,
    });
  }

  start() {
    this.inboxSocket.connect();
    this.leadSocket.connect();
  }

  /** live | connecting | reconnecting | closed: the worse of the two sockets. */
  get state() {
    const states = [this.inboxSocket.state, this.leadSocket.state];
    for (const s of ['closed', 'reconnecting', 'connecting', 'idle']) if (states.includes(s)) return s;
    return 'live';
  }

  emitState() {
    if (this.onState) this.onState(this.state);
  }

  // --- inbox ------------------------------------------------------------------------------------------
  setInboxFeed(feed) {
    this.inboxFeed = feed;
    feed.retry = () => setTimeout(() => this.inboxFeed === feed && feed.phase === 'failed' && this.reloadInbox(), 2000);
    if (this.inboxSocket.state === 'live') this.subscribeInbox();
  }

  /** Reload the inbox from scratch (filters changed): a fresh subscription, then a fresh REST load. */
  reloadInbox() {
    if (!this.inboxFeed) return;
    this.inboxFeed.resync();
    this.subscribeInbox();
  }

  subscribeInbox() {
    const feed = this.inboxFeed;
    if (!feed || this.inboxSocket.state !== 'live') return;
    const serial = feed.subscribing();
    if (this.inboxSocket.send({ type: 'subscribe_inbox', last_event_id: feed.resumeFrom() })) this.inboxAcks.push(serial);
  }

  onInboxFrame(frame) {
    const feed = this.inboxFeed;
    if (!feed) return;
    if (frame.type === 'subscribed' && frame.inbox) feed.acknowledged(frame, this.inboxAcks.shift());
    else if (frame.type === 'event' && frame.event) feed.receive(frame.event);
    else if (frame.type === 'error' && frame.code === 'resync_required') this.reloadInbox();
    else if (frame.type === 'error') console.warn('[realtime] inbox:', frame.code, frame.message);
  }

  // --- the open lead ----------------------------------------------------------------------------------
  /** Open a lead: its feed drives the lead view. Closes the previous one. */
  openLeadFeed(leadId, { load, apply, onPhase, onPresence, onNotFound }) {
    this.closeLeadFeed();
    const feed = new Feed(`lead ${leadId}`, { load, apply, onPhase });
    this.openLead = { id: leadId, feed, onPresence, onNotFound };
    feed.retry = () =>
      setTimeout(() => this.openLead && this.openLead.feed === feed && feed.phase === 'failed' && this.reloadLead(), 2000);
    if (this.leadSocket.state === 'live') this.subscribeOpenLead();
    return feed;
  }

  closeLeadFeed() {
    const open = this.openLead;
    if (!open) return;
    this.openLead = null;
    open.feed.resync();
    if (this.presence && this.presence.leadId === open.id) this.presence = null;
    if (this.leadSocket.state === 'live') {
      // Unsubscribing also clears our presence on that lead; keep watching it when the list shows it.
      this.leadSocket.send({ type: 'unsubscribe', lead_id: open.id });
      if (this.watched.has(open.id)) this.sendSubscribe(open.id, 'watch', null);
    }
  }

  reloadLead() {
    if (!this.openLead) return;
    this.openLead.feed.resync();
    if (this.leadSocket.state === 'live') this.subscribeOpenLead();
  }

  subscribeOpenLead() {
    const open = this.openLead;
    if (!open) return;
    const serial = open.feed.subscribing();
    this.sendSubscribe(open.id, 'open', open.feed.resumeFrom(), serial);
  }

  sendSubscribe(leadId, role, lastEventId, serial = 0) {
    if (!this.leadSocket.send({ type: 'subscribe', lead_id: leadId, last_event_id: lastEventId })) return;
    if (!this.pendingAcks.has(leadId)) this.pendingAcks.set(leadId, []);
    this.pendingAcks.get(leadId).push({ role, serial });
  }

  subscribeLeads() {
    this.pendingAcks.clear();
    if (this.openLead) this.subscribeOpenLead();
    for (const leadId of this.watched.keys()) {
      if (!this.openLead || this.openLead.id !== leadId) this.sendSubscribe(leadId, 'watch', null);
    }
    if (this.presence) this.sendPresence();
  }

  onLeadFrame(frame) {
    if (frame.type === 'subscribed' && frame.lead_id) {
      const queue = this.pendingAcks.get(frame.lead_id) || [];
      const sent = queue.shift();
      if (!queue.length) this.pendingAcks.delete(frame.lead_id);
      const open = this.openLead;
      if (sent && sent.role === 'open' && open && open.id === frame.lead_id) open.feed.acknowledged(frame, sent.serial);
      return;
    }
    if (frame.type === 'event' && frame.event) {
      const event = frame.event;
      if (event.type === 'presence.changed') {
        this.onPresenceEvent(event);
        return;
      }
      const open = this.openLead;
      if (open && event.lead_id === open.id) open.feed.receive(event);
      return; // data events of watched leads: the inbox feed has them already
    }
    if (frame.type === 'error') {
      const open = this.openLead;
      if (frame.code === 'resync_required' && open) this.reloadLead();
      else if (frame.code === 'not_found' && open && open.feed.phase === 'subscribing' && open.onNotFound) {
        open.onNotFound();
      } else console.warn('[realtime] leads:', frame.code, frame.message);
    }
  }

  // --- presence ---------------------------------------------------------------------------------------
  /** Which leads the list shows: their subscriptions carry presence for the list rows. */
  watch(leadIds) {
    const wanted = new Set(leadIds);
    const live = this.leadSocket.state === 'live';
    for (const leadId of [...this.watched.keys()]) {
      if (wanted.has(leadId)) continue;
      this.watched.delete(leadId);
      this.presenceByLead.delete(leadId);
      if (live && (!this.openLead || this.openLead.id !== leadId)) {
        this.leadSocket.send({ type: 'unsubscribe', lead_id: leadId });
      }
    }
    for (const leadId of wanted) {
      if (this.watched.has(leadId)) continue;
      this.watched.set(leadId, true);
      if (live && (!this.openLead || this.openLead.id !== leadId)) this.sendSubscribe(leadId, 'watch', null);
    }
  }

  onPresence(listener) {
    this.presenceListeners.add(listener);
    return () => this.presenceListeners.delete(listener);
  }

  onPresenceEvent(event) {
    const leadId = event.data.lead_id;
    const viewers = event.data.viewers || [];
    this.presenceByLead.set(leadId, viewers);
    for (const listener of this.presenceListeners) listener(leadId, viewers);
    const open = this.openLead;
    if (open && open.id === leadId && open.onPresence) open.onPresence(viewers);
  }

  viewers(leadId) {
    return this.presenceByLead.get(leadId) || [];
  }

  /** Tell teammates what we do on the open lead: viewing, composing (with the channel) or idle. */
  setPresence(leadId, state, channel = null) {
    const same = this.presence && this.presence.leadId === leadId && this.presence.state === state && this.presence.channel === channel;
    this.presence = { leadId, state, channel };
    if (!same) this.sendPresence();
  }

  sendPresence() {
    const p = this.presence;
    if (!p || !this.openLead || this.openLead.id !== p.leadId) return;
    this.leadSocket.send({ type: 'presence', lead_id: p.leadId, state: p.state, channel: p.channel });
  }

  // --- tests and teardown -----------------------------------------------------------------------------
  drop(options) {
    this.inboxSocket.drop(options);
    this.leadSocket.drop(options);
  }

  resume() {
    this.inboxSocket.resume();
    this.leadSocket.resume();
  }

  close() {
    this.inboxSocket.close();
    this.leadSocket.close();
    this.presenceListeners.clear();
  }
}
