"""Delivering the kiosk's outbox to the central system and bringing back its decisions.

No Textual here. The client, the reference central server (`kiosk-central`) and USB
bundles arrive with the sync issue; the outbox they read is filled by kiosk.workflow today.
"""
