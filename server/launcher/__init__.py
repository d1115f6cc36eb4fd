"""The one-command local run: services (configured, local or embedded), migrations, demo data, processes."""
