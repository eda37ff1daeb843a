"""Typed dependencies: what a route needs, taken from the app the lifespan built.

Routes declare ``runtime: RuntimeDep`` instead of reaching into ``request.app.state``;
one function per dependency knows where it lives.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import HTTPConnection

from assist.service.metrics import Metrics
from assist.service.runtime import Runtime
from assist.settings import Settings

__all__ = ["DatabaseDep", "MetricsDep", "RuntimeDep", "SettingsDep"]


def get_runtime(connection: HTTPConnection) -> Runtime:
    runtime: Runtime = connection.app.state.runtime
    return runtime


def get_database(connection: HTTPConnection) -> AsyncEngine:
    database: AsyncEngine = connection.app.state.database
    return database


def get_settings(connection: HTTPConnection) -> Settings:
    settings: Settings = connection.app.state.settings
    return settings


def get_metrics(connection: HTTPConnection) -> Metrics:
    metrics: Metrics = connection.app.state.metrics
    return metrics


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
DatabaseDep = Annotated[AsyncEngine, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
