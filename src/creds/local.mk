# src/creds: credentials named by the configuration, for CSP accounts and customers.
src_libiotreg_la_SOURCES += \
	src/creds/credref.c src/creds/credref.h \
	src/creds/accounts.c src/creds/accounts.h
src_libiotreg_la_SOURCES += src/app/runtime.c src/app/runtime.h \
	src/app/subca_certs.c src/app/subca_certs.h
