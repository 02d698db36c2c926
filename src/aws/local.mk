# src/aws: the AWS client, one folder per concern.
# aws_error.c  the AWS error model: error bodies, throttled/transient/final, the ir_rc returned
# transport/   the call machinery: request/response, client, HTTP, endpoints, retries, quotas
# auth/        SigV4, credentials and their providers: static, environment, profile, AssumeRole
# iot/         the typed IoT operations (certificates, CA, transfer, policies, things), JSON, paging
# sts/         the typed STS operations (AssumeRole, GetCallerIdentity) and their XML
src_libiotreg_aws_la_SOURCES += src/aws/aws_error.c src/aws/aws_error.h

src_libiotreg_aws_la_SOURCES += \
	src/aws/transport/message.h \
	src/aws/transport/client.c src/aws/transport/client.h \
	src/aws/transport/client_call.c src/aws/transport/client_internal.h \
	src/aws/transport/http.c src/aws/transport/http.h \
	src/aws/transport/endpoint.c src/aws/transport/endpoint.h \
	src/aws/transport/retry.c src/aws/transport/retry.h \
	src/aws/transport/ratelimit.c src/aws/transport/ratelimit.h \
	src/aws/transport/request.c src/aws/transport/request_internal.h

src_libiotreg_aws_la_SOURCES += \
	src/aws/auth/sigv4.c src/aws/auth/sigv4.h \
	src/aws/auth/credentials.c src/aws/auth/credentials.h \
	src/aws/auth/providers.c src/aws/auth/provider_internal.h \
	src/aws/auth/profile.c \
	src/aws/auth/assume_role.c src/aws/auth/assume_role.h

src_libiotreg_aws_la_SOURCES += \
	src/aws/iot/iot.h src/aws/iot/iot_internal.h \
	src/aws/iot/call.c \
	src/aws/iot/checks.c \
	src/aws/iot/json.c src/aws/iot/json_internal.h \
	src/aws/iot/paging.c \
	src/aws/iot/ca.c \
	src/aws/iot/certificates.c \
	src/aws/iot/transfer.c \
	src/aws/iot/policy.c \
	src/aws/iot/things.c \
	src/aws/iot/account_endpoint.c

src_libiotreg_aws_la_SOURCES += \
	src/aws/sts/sts.c src/aws/sts/sts.h \
	src/aws/sts/xml.c src/aws/sts/xml_internal.h

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
