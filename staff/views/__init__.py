"""Request handlers of the staff web, one module per area."""
