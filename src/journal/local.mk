# src/journal: filled in by its owner
