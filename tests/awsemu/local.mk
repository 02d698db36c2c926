# tests/awsemu: awsemu, the local multi-account AWS IoT + STS emulator, and its test suites.
# Included by the top-level Makefile.am (which sets TESTS and EXTRA_DIST first).
# The suites run with Debian's /usr/bin/python3 and skip (77) without its packages.
AWSEMU_TESTS = \
	tests/awsemu/emulator.test \
	tests/awsemu/emulator-ops.test \
	tests/awsemu/awscli-flow.test \
	tests/awsemu/dataplane.test \
	tests/awsemu/regions.test
TESTS += $(AWSEMU_TESTS)
EXTRA_DIST += $(AWSEMU_TESTS) \
	tests/awsemu/README.md \
	tests/awsemu/awsemu \
	tests/awsemu/suite.sh \
	tests/awsemu/emu_admin.py \
	tests/awsemu/emu_certs.py \
	tests/awsemu/emu_config.py \
	tests/awsemu/emu_core.py \
	tests/awsemu/emu_dataplane.py \
	tests/awsemu/emu_devices.py \
	tests/awsemu/emu_endpoints.py \
	tests/awsemu/emu_env.py \
	tests/awsemu/emu_errors.py \
	tests/awsemu/emu_faults.py \
	tests/awsemu/emu_http.py \
	tests/awsemu/emu_identity.py \
	tests/awsemu/emu_iot_certs.py \
	tests/awsemu/emu_iot_state.py \
	tests/awsemu/emu_iot_things.py \
	tests/awsemu/emu_model.py \
	tests/awsemu/emu_mqtt.py \
	tests/awsemu/emu_persist.py \
	tests/awsemu/emu_policy.py \
	tests/awsemu/emu_quotas.py \
	tests/awsemu/emu_server.py \
	tests/awsemu/emu_sigv4.py \
	tests/awsemu/emu_sts.py \
	tests/awsemu/emu_tls.py \
	tests/awsemu/emu_util.py \
	tests/awsemu/emu_testlib.py \
	tests/awsemu/emu_testrun.py \
	tests/awsemu/test_rules.py \
	tests/awsemu/test_ops.py \
	tests/awsemu/test_awscli_flow.py \
	tests/awsemu/test_dataplane.py \
	tests/awsemu/test_regions.py
