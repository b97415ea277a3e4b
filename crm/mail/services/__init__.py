"""Mail services: the outbox and its delivery, rendering and headers, attachments, the copy editor, sequences.

All of them flush and leave the commit to the caller, except the delivery worker (delivery.py), which
commits each message as it is sent so a crash never sends one twice.
"""
