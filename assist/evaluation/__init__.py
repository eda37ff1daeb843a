"""Measuring suggestions and lint against labelled messages (`make eval`)."""
