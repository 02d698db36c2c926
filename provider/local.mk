# provider: filled in by its owner
