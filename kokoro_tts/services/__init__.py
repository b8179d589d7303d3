"""What the service does, below HTTP: accounts, API keys, voices, credits, generation, history
and audio storage. Routes, the OpenAI-compatible API and the CLI all call these; nothing here
imports a route module."""
