"""The hook the agreement's public verification page calls (`fengqiao.mediation.agreements`)."""

from fengqiao.legal.services import confirmation_status

__all__ = ["confirmation_status"]
