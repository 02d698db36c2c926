# src/keystore: the PKCS#11 keystore backend shared by the provider and iotregctl.
src_libiotreg_keystore_la_SOURCES += \
	src/keystore/keystore.h src/keystore/ks_internal.h src/keystore/uri.h src/keystore/subca.h \
	src/keystore/ks_reason.c src/keystore/ks_module.c src/keystore/ks_session.c \
	src/keystore/ks_object.c src/keystore/ks_sign.c src/keystore/ks_pubkey.c \
	src/keystore/ks_keygen.c src/keystore/ks_import.c src/keystore/ks_secret.c \
	src/keystore/ks_uri.c src/keystore/ks_ossl.c src/keystore/ks_cert.c \
	src/keystore/ks_subca.c src/keystore/ks_softhsm.c src/keystore/ks_tty.c
