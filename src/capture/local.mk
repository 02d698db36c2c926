# src/capture: the shared "capture a certificate" path (parse, identify the
# issuing SubCA, attribute, enqueue) used by the hook, iotreg-publish,
# iotregctl import and the provider's issuance tap.
src_libiotreg_capture_la_SOURCES += \
	src/capture/cert_input.c src/capture/cert_input.h \
	src/capture/capture.c src/capture/capture.h \
	src/capture/crl_reason.c src/capture/crl_reason.h \
	src/capture/tbs.c src/capture/tbs.h \
	src/capture/import.c src/capture/import_openssl.c src/capture/import.h \
	src/capture/import_crl.c src/capture/import_crl.h
