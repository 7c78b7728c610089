"""Emails: GOV.UK-style templates, an outbox written in the event's own transaction, the backends that send
(GOV.UK Notify, or the database for development and the demo), delivery status, and each person's choice
of optional emails. The services that own an event (returns, releases, accounts) decide who is told and
what; this package queues, sends and records."""
