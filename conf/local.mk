# conf: filled in by its owner
