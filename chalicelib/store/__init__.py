"""The store: the write path's building blocks that every feature sits on.

Labelled transactions and bounded reads (`db`), listings and counters (`listing`), the outbox of promised work
(`outbox`), id sequences (`sequences`), writer leases (`locks`), the audit trail (`events`) and the daily
statistics (`stats`). Nothing here imports a feature (services, ops, ai, api, handlers).
"""
