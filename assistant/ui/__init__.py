"""What people see: the Chainlit app, profile cards, the terminal chat and `mingle serve`.
Thin: no logic of its own."""
