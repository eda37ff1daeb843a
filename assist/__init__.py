"""assist — real-time chat assist for online-shop customer service (坐席助手)."""

__version__ = "0.1.0"
