"""Who may do what, and what leaves the service: tokens and roles, origins, rate limits,
masking of personal data, safe CSV cells, redacted logs. Pure functions and small value
types; the service wires them into routes (``assist.service.auth``)."""

__all__: list[str] = []
