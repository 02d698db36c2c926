# tests/e2e: the whole method against the emulator, through each way in.
E2E_TESTS = \
	tests/e2e/deliver-publish.test \
	tests/e2e/crash.test \
	tests/e2e/final-failures.test \
	tests/e2e/chaos.test \
	tests/e2e/isolation.test \
	tests/e2e/revoke.test \
	tests/e2e/fairness.test \
	tests/e2e/daemon.test \
	tests/e2e/customer-verify.test \
	tests/e2e/unsafe-role.test \
	tests/e2e/deliver-tap.test \
	tests/e2e/deliver-hook.test \
	tests/e2e/deliver-noca.test \
	tests/e2e/park-cancel.test \
	tests/e2e/thing-collision.test \
	tests/e2e/endpoint.test \
	tests/e2e/connect.test \
	tests/e2e/aws-ids.test \
	tests/e2e/shard.test \
	tests/e2e/regions.test \
	tests/e2e/metrics.test \
	tests/e2e/demo-postgresql.test
TESTS += $(E2E_TESTS)
EXTRA_DIST += $(E2E_TESTS) tests/e2e/lib.sh tests/e2e/e2e.py
