# hooks: filled in by its owner
