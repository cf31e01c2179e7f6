"""Sub-commands of the ``bluebox`` CLI, one module per group."""
