"""Watching jobs: the status tick, the scheduler lease, adopting orphans, and what people are told when a job changes.

Redis holds the truth (which jobs are watched, what was last announced, when the next periodic
update is due); the scheduler in ``bot/`` is only a clock that calls ``JobMonitor.tick``.
"""
