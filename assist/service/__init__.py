"""The asyncio shell around the core: websocket and HTTP adapters, timer driver, fan-out."""
