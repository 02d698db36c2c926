# src/app: what programs build from the configuration (the settings of the
# layers that do not read it, the runtime, SubCA certificates from the
# keystore), and SubCA registration with AWS.
src_libiotreg_la_SOURCES += \
	src/app/settings.c src/app/settings.h \
	src/app/subca_certs.c src/app/subca_certs.h \
	src/app/runtime.c src/app/runtime.h \
	src/app/subca_register.c src/app/subca_register.h \
	src/app/subca_record.c
