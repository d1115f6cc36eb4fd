"""A local stand-in for EmailBison, GoHighLevel and Unipile, so the demo's "Approve & send" runs the whole
cycle offline: queued → sending → sent, the provider's echo confirming it, now and then the lead answering.

    python -m server.demo.provider_simulator --port 8010 --webhooks http://127.0.0.1:8000 --workspace <id>

The webhook secret comes from `--secret` or, better (it stays out of `ps`), PROVIDER_SIMULATOR_WEBHOOK_SECRET.
Every option has an environment variable: PROVIDER_SIMULATOR_HOST (127.0.0.1), _PORT (8010), _WEBHOOKS_URL
(http://127.0.0.1:8000), _WORKSPACE, _WEBHOOK_SECRET, _SEED (14), _ECHO_DELAY_S (1), _REPLY_CHANCE (0.33) and
_REPLY_DELAY_S ("10,40": the lead answers between 10 and 40 s after a send). `setterdesk run` starts it for
the demo workspace, whose integrations the seed points at it with the keys in `demo_accounts`.

It serves the providers' send and check APIs exactly as API.md "Sending" documents them (routes.py), posts
each send's echo to our webhooks about a second later and sometimes the lead's answer (followups.py, bodies in
webhook_bodies.py). Which lead a GoHighLevel contact or a Unipile chat is comes from the demo's naming
conventions (demo_accounts.py). Nothing is delivered to anyone, and its logs carry ids and statuses only,
never a message's text or a key.
"""
