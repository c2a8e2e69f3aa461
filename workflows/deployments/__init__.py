"""Deploying custom models: choosing the route, what it costs, the confirmation, watching it and idle reminders."""
