"""The conversation: the intake service, the interview policy, introductions, privacy, and the
words Mingle says."""
