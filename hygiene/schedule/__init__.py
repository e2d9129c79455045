"""Recurring crawls: schedules and run history in the item store, and the scheduler that runs them."""
