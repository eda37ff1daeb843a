"""Prometheus instruments, one registry per app so tests can build many apps."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
)

__all__ = ["Metrics"]

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)
        self.events = Counter("assist_events", "Events accepted, by type", ["type"], registry=r)
        self.duplicates = Counter(
            "assist_duplicate_events", "Events ignored as already applied", registry=r
        )
        self.errors = Counter(
            "assist_event_errors", "Inbound events rejected, by error code", ["code"], registry=r
        )
        self.alerts = Counter("assist_alerts", "Alerts raised, by kind", ["kind"], registry=r)
        self.open_conversations = Gauge(
            "assist_open_conversations", "Conversations currently open", registry=r
        )
        self.ack_latency = Histogram(
            "assist_ack_latency_seconds",
            "Receipt of a frame to its acknowledgement (after it is persisted)",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.alert_lateness = Histogram(
            "assist_alert_lateness_seconds",
            "Deadline to the moment its alert is handed to subscribers",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.flush_seconds = Histogram(
            "assist_store_flush_seconds",
            "Time to write one batch to the store",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.store_failures = Counter(
            "assist_store_failures", "Batch writes that failed and were retried", registry=r
        )
        self.rejected_rows = Counter(
            "assist_store_rejected_rows",
            "Rows the store refused for their content, written without them and logged",
            registry=r,
        )
        self.rate_limited = Counter(
            "assist_rate_limited", "Requests and frames refused by the rate limit", registry=r
        )
        self.auth_refusals = Counter(
            "assist_auth_refusals",
            "Requests refused for a missing or wrong token",
            ["code"],
            registry=r,
        )
        self.subscribers = Gauge(
            "assist_subscribers", "Connected websocket subscribers", ["channel"], registry=r
        )
        self.dropped_subscribers = Counter(
            "assist_dropped_subscribers",
            "Subscribers disconnected for not keeping up",
            registry=r,
        )
        self.shed_frames = Counter(
            "assist_shed_frames",
            "Non-alert frames a saturated server dropped from a reading subscriber's queue",
            registry=r,
        )
        self.nlp_skipped = Counter(
            "assist_nlp_skipped",
            "NLP work skipped while behind: suggestions for messages already answered",
            ["kind"],
            registry=r,
        )
        self.nlp_queue = Gauge(
            "assist_nlp_queue", "NLP requests waiting for or in a worker", registry=r
        )
        self.nlp_failures = Counter(
            "assist_nlp_failures",
            "NLP batches whose worker failed (they were run on the event loop instead)",
            registry=r,
        )
        self.rule_reloads = Counter(
            "assist_rule_reloads", "Rule reloads, by result", ["result"], registry=r
        )
