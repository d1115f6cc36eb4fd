"""Real-time fan-out benchmark: N websockets on one lead, commit → event received latency, one web process.

    .venv/bin/python -m bench.realtime_fanout            # table
    .venv/bin/python -m bench.realtime_fanout --json     # the same figures as JSON
    .venv/bin/python -m bench.realtime_fanout --sockets 1,100 --commits 20

It starts the Procfile's web line twice (LOG_LEVEL=WARNING, the database setterdesk_bench migrated but not
dropped, a Dramatiq namespace of its own): one process holds the sockets and fans out, the other takes the
commits, so the fan-out process's CPU is the fan-out's alone. It signs up a workspace and creates a lead.
Then, for each N, it opens N websockets from this process, all subscribed to that lead, makes K commits that
each emit one event for it (PATCH /api/leads/{id} at a steady pace, one after the other) and checks that every
socket got exactly those K events, in order. Latency is the client's receive time minus the event's own `at`
(stamped by the committing web process inside the transaction, just before the INSERT, so a little before the
commit: an upper bound of commit → received, never an underestimate; one machine, one clock). The client
shares the machine's cores with the server, PostgreSQL and Redis, so its own receive work is part of the
figures too.

In the same run, each N is measured again against the bare relay (bare_relay.py: one uvicorn process, one
Redis subscription, a plain send loop), with frames as long as the hub's published straight to Redis; the
table reports the hub's p99 and CPU per socket-event as ratios of the relay's.

It also counts the Redis connections the web process holds (its TCP sockets to Redis matched against CLIENT
LIST), and how many of them are subscriptions. Everything it started is stopped however the run ends;
the web log goes to bench/logs/realtime-web.log.

Modules: options (the run's options), lead (the workspace, its lead, the commits and their events), sockets
(the websocket clients), redis_clients (the web process's Redis connections), analysis (deliveries against
the events table), bare_relay and relay_round (the floor and its round), run (the run from start to end),
render (the table), __main__ (the command line).
"""
