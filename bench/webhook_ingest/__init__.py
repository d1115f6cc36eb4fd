"""Webhook ingest benchmark: accepting webhooks against a bare INSERT, draining them with one worker, then
accepted → message created and received → pending draft latencies.

    .venv/bin/python -m bench.webhook_ingest            # tables
    .venv/bin/python -m bench.webhook_ingest --json     # the same figures as JSON
    .venv/bin/python -m bench.webhook_ingest --offline  # drafts from the embedded offline provider

A webhook is answered once its body is recorded (`webhook_events`, status `received`) and its job queued; a
worker (actor webhooks.ingest, queue `webhooks`) stores the message later. The parts, in order:

1. accept: the Procfile's web line alone, no worker, and a bare Litestar INSERT app (bench/bare_insert_app.py)
   driven with the same bodies by --concurrency senders; the ratios of req/s and p99 (targets ≥ 0.8×, ≤ 1.5×).
2. process: the accepted webhooks are all waiting. One worker that only ingests (WORKER_QUEUES=webhooks,
   WORKER_PROCESSES=1) drains them: messages per second per worker process and its CPU per message, from the
   first row processed (its boot is not counted) until none is `received`; every row must end `processed`.
   It is stopped, and the post-processing jobs it queued are flushed unrun.
3. latency: a normal worker (every queue) and, unless --offline, a fake OpenAI server answering at once; after
   a few drafts to warm it up, --latency-count webhooks at --latency-rate per second, bodies that are never
   drafted: webhook_events.processed_at − the moment the client had the 200.
4. drafts: --drafts interested replies at --draft-rate per second, received → pending draft committed.

It uses a database of its own (setterdesk_bench, dropped and migrated at start unless --keep-db) and the
Redis namespace setterdesk-bench (flushed at start, after the process part, and at the end). It stops every
process it started however the run ends. Process logs go to bench/logs/.

Modules: options (the run's options), stack (processes, workspaces, bodies), accept, drain (the process
part), latency, run (the run from start to end, the draft part), render (the tables), __main__ (the command
line). The draft measurement itself is bench/drafts.py, the event log queries bench/webhook_events.py.
"""
