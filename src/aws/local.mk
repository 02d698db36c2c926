# src/aws: the AWS client. The transport (sigv4, credentials, http, ratelimit,
# retry, client) and the operations (iot, sts, assume_role) are listed in
# separate blocks so that each has one owner.

# -- transport --
src_libiotreg_aws_la_SOURCES += src/aws/client.h src/aws/credentials.h \
	src/aws/credentials.c src/aws/cred_provider.c src/aws/cred_provider.h \
	src/aws/cred_profile.c \
	src/aws/sigv4.c src/aws/sigv4.h \
	src/aws/endpoint.c src/aws/endpoint.h \
	src/aws/http.c src/aws/http.h \
	src/aws/ratelimit.c src/aws/ratelimit.h \
	src/aws/retry.c src/aws/retry.h \
	src/aws/aws_error.c \
	src/aws/client.c src/aws/client_call.c src/aws/client_async.c \
	src/aws/client_impl.h src/aws/client_hooks.h

check_PROGRAMS += tests/unit/test_sigv4 tests/unit/test_credentials \
	tests/unit/test_ratelimit tests/unit/test_retry tests/unit/test_endpoint \
	tests/unit/test_http_wire
TESTS += tests/unit/test_sigv4 tests/unit/test_credentials \
	tests/unit/test_ratelimit tests/unit/test_retry tests/unit/test_endpoint \
	tests/unit/test_http_wire
tests_unit_test_sigv4_SOURCES = tests/unit/test_sigv4.c
tests_unit_test_sigv4_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sigv4_LDADD = $(TEST_LIBS)
tests_unit_test_credentials_SOURCES = tests/unit/test_credentials.c
tests_unit_test_credentials_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_credentials_LDADD = $(TEST_LIBS)
tests_unit_test_ratelimit_SOURCES = tests/unit/test_ratelimit.c
tests_unit_test_ratelimit_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_ratelimit_LDADD = $(TEST_LIBS)
tests_unit_test_retry_SOURCES = tests/unit/test_retry.c
tests_unit_test_retry_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_retry_LDADD = $(TEST_LIBS)
tests_unit_test_endpoint_SOURCES = tests/unit/test_endpoint.c
tests_unit_test_endpoint_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_endpoint_LDADD = $(TEST_LIBS)
tests_unit_test_http_wire_SOURCES = tests/unit/test_http_wire.c
tests_unit_test_http_wire_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_http_wire_LDADD = $(TEST_LIBS)

# Against the emulator: tests/transport.test starts awsemu and a TLS server.
check_PROGRAMS += tests/unit/test_transport
TESTS += tests/transport.test
EXTRA_DIST += tests/transport.test
tests_unit_test_transport_SOURCES = tests/unit/test_transport.c
tests_unit_test_transport_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_transport_LDADD = $(TEST_LIBS)

# -- operations --
src_libiotreg_aws_la_SOURCES += \
	src/aws/ops.c src/aws/ops.h \
	src/aws/ops_request.c src/aws/ops_request.h \
	src/aws/iot.c src/aws/iot.h src/aws/iot_internal.h \
	src/aws/iot_json.c src/aws/iot_json.h \
	src/aws/iot_paging.c \
	src/aws/iot_ca.c \
	src/aws/iot_certificates.c \
	src/aws/iot_transfer.c \
	src/aws/iot_policy.c \
	src/aws/iot_things.c \
	src/aws/iot_endpoint.c \
	src/aws/sts_xml.c src/aws/sts_xml.h \
	src/aws/sts.c src/aws/sts.h \
	src/aws/assume_role.c src/aws/assume_role.h

check_PROGRAMS += tests/unit/test_iot_parse
TESTS += tests/unit/test_iot_parse
tests_unit_test_iot_parse_SOURCES = tests/unit/test_iot_parse.c
tests_unit_test_iot_parse_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_iot_parse_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_aws_ops
tests_unit_test_aws_ops_SOURCES = tests/unit/test_aws_ops.c
tests_unit_test_aws_ops_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_aws_ops_LDADD = $(TEST_LIBS)
TESTS += tests/aws-ops.test tests/aws-rate.test
EXTRA_DIST += tests/aws-ops.test tests/aws-rate.test tests/aws-ops-lib.sh

# -- a stopping daemon's blocking calls give up --
check_PROGRAMS += tests/unit/test_client_abort
TESTS += tests/unit/test_client_abort
tests_unit_test_client_abort_SOURCES = tests/unit/test_client_abort.c
tests_unit_test_client_abort_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_client_abort_LDADD = $(TEST_LIBS)
