# src/capture: filled in by its owner
