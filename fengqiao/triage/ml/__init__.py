"""Learned triage models: category (and a rule model for service type) from title + text, and the
handling unit from place + text. Everything runs on a CPU from data shipped in fengqiao/triage/data.

The public door is `fengqiao.triage.ml.registry`; this package imports nothing heavy on import.
"""
