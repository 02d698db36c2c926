# src/keystore: filled in by its owner
