"""Job monitoring: the status tick, the scheduler lease, what people are told, and the commands on jobs.

Redis holds the truth (which jobs are watched, what was last announced, when the next periodic
update is due); the scheduler in ``bot/`` is only a clock that calls ``JobMonitor.tick``.
"""
