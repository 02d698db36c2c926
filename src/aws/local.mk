# src/aws: filled in by its owner
