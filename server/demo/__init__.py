"""Demo data and the webhook simulator."""
