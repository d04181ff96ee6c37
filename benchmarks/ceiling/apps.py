from django.apps import AppConfig


class CeilingConfig(AppConfig):
    """Three bare views that measure what the server itself can do (BENCHMARK_CEILINGS=1)."""

    name = "benchmarks.ceiling"
    label = "ceiling"
