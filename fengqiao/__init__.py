"""Fengqiao (枫桥): citizen demand service and multi-party dispute resolution."""
