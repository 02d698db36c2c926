# tests/layout: the tree's architecture holds (scripts/layers: no include climbs a layer).
TESTS += tests/layout/layers.test
EXTRA_DIST += tests/layout/layers.test scripts/layers
