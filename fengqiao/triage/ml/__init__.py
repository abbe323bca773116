"""Learned triage models: category from title + text, and the handling unit from place + text (the service
type is a rule table, fengqiao.triage.service_rules: no labelled data exists for it). Everything runs on a CPU from data shipped in fengqiao/triage/data.

The public door is `fengqiao.triage.ml.registry`; this package imports nothing heavy on import.
"""
