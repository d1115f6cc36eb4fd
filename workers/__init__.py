"""Background workers: `dramatiq workers.main` (the Procfile's worker line)."""
