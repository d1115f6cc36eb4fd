"""Soak: many workspaces' teams on websockets over two web processes, paced webhooks, two workers, the fake
model, for minutes.

    .venv/bin/python -m bench.soak                      # 1,000 sockets in 50 workspaces, 50 webhooks/s, 120 s
    .venv/bin/python -m bench.soak --json               # the same figures as JSON
    .venv/bin/python -m bench.soak --sockets 200 --workspaces 10 --rate 10 --duration 60
    .venv/bin/python -m bench.soak --workspaces 1       # the worst case: every socket in one workspace

It recreates and migrates the database setterdesk_bench, gives the run a Dramatiq namespace of its own
(deleted at the end) and starts the Procfile's lines: two `web` processes, two `worker` processes (the fake
OpenAI server of tests/fakes/fake_openai.py answering at once, in a thread of this process) and one
`scheduler`. It signs up --workspaces workspaces (tenants, one account each) and sends a few webhooks to each
first: they create every workspace's "hot" leads and prove the workers draft.

Then it opens the sockets: socket n belongs to workspace n % N, so each workspace has a team of
sockets / N teammates, split over the two web processes. By default half of each team is subscribed to its
workspace's inbox (`subscribe_inbox`, last_event_id null) and half to one of its workspace's hot leads each.
A socket the server closes (1013 when it cannot keep up, 1001 on shutdown) reconnects and resumes from the
last id it received, as the browser app does; reconnections are counted. Webhooks go out at --rate per second
on a fixed schedule (open loop, whatever the answers take), round robin over the workspaces (each with its
own secret) and alternating between the two web processes: EmailBison replies and GoHighLevel SMS (one in
four of a workspace's), from new leads and from the workspace's existing ones (hot leads among them). A
warm-up of --warmup seconds at the same rate comes first; memory "at start" is read after it, "at end" when
the --duration of measured sends is over.

Checked and reported:
- webhook latency p50/p99 of the measured sends (client: request sent → answer, given once the body is
  recorded), and every non-200 answer;
- every webhook answered "accepted" ends `processed` in webhook_events (lost = accepted − processed, after
  waiting), duplicates among them, and the backlog drain time: from the last send until no row of the run's
  workspaces is left `received` (waited for up to --drain seconds); the message counts come from the database;
- fan-out latency: the client's receive time − the event's `at` (stamped in the web process or worker inside
  the transaction, just before the INSERT, so an upper bound of commit → received), every first delivery;
- RSS of each process (with what it forked: Dramatiq's worker processes) after warm-up and at the end, growth;
- lost, duplicated, out-of-order events per socket: an inbox socket must receive every event id of its
  workspace after its subscribe ack, a lead socket every event id of its lead, each exactly once, in
  increasing order, compared with the events table once everything has settled.

The client shares the machine's cores with everything it measures, so its own event-loop lag and the lag of
the sends behind their schedule are reported too, and the run is flagged "saturated" when the machine could
not drive the configuration. Everything it started is stopped however the run ends (Ctrl-C too); process
logs go to bench/logs/soak-*.log.

Modules: options (the run's options), stack (processes, memory, the client's loop lag), traffic (workspaces,
webhooks, paced sends), sockets (the websocket clients), checks (drain, ingest outcomes, settle, deliveries,
verdict), run (the run from start to end), render (the tables), __main__ (the command line); the webhook
event log queries are bench/webhook_events.py.
"""
