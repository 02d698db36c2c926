# tests/awsemu: filled in by its owner
