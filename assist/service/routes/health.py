"""``/healthz`` (open, for load balancers) and ``/metrics`` (Prometheus text)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from assist.security.roles import NeedKind
from assist.service.auth import require
from assist.service.deps import MetricsDep, RuntimeDep

__all__ = ["router"]

router = APIRouter()


@router.get("/healthz")
async def healthz(runtime: RuntimeDep) -> JSONResponse:
    """503 while the store is failing (acks are held then, nothing is lost)."""
    healthy = runtime.persister.healthy
    body = {
        "status": "ok" if healthy else "degraded",
        "store": "ok" if healthy else "failing",
        "open_conversations": len(runtime.engine.open_conversations()),
        "pending_rows": runtime.persister.pending,
        "rejected_rows": runtime.persister.rejected,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get("/metrics", dependencies=[require(NeedKind.READ)])
async def prometheus_metrics(metrics: MetricsDep) -> Response:
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
