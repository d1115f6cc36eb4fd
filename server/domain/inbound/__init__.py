"""Provider webhook bodies turned into one normalized shape (no database, no HTTP)."""
