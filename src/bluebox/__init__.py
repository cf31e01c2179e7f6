"""bluebox: protection of civilians for police components of peace operations."""
