"""Ingest: the report text -> knowledge.model.ParsedReport (sections, tables, facts, lists)."""

from knowledge.ingest.report import parse_report, read_report_file

__all__ = ["parse_report", "read_report_file"]
