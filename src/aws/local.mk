# src/aws: the AWS client. The transport (sigv4, credentials, http, ratelimit,
# retry, client) and the operations (iot, sts, assume_role) are listed in
# separate blocks so that each has one owner.

# -- transport --
src_libiotreg_la_SOURCES += src/aws/client.h src/aws/credentials.h

# -- operations --
