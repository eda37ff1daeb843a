"""``assist demo``: the service on a fresh database, a sample catalogue and a simulator."""
