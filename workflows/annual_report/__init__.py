"""The annual report of a reporting unit under a plan: submit by the deadline, reminders, escalation."""
