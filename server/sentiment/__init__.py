"""The sentiment vocabulary and its rules: tags, the status each implies, draft eligibility, fast paths.

A leaf package: it imports nothing of the project, so the prompt layer and every concept can use it."""
