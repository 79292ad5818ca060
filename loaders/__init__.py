"""Loaders: plan documents to typed records with source spans (``greenplan.loaders``)."""
from greenplan.loaders.document import load
from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.records import LoadReport, Plan

__all__ = ["load", "PlanFormatError", "LoadReport", "Plan"]
