/* SubCAs whose certificate lives only in the keystore (no <cert-file>):
 * their certificates are read from the token once, when a program starts, so
 * that capture can recognise what they issue and delivery can name them as
 * the CA of every certificate it registers. */
#ifndef IOTREG_APP_SUBCA_CERTS_H
#define IOTREG_APP_SUBCA_CERTS_H

#include "config/config.h"
#include "core/error.h"

/* For every SubCA without a known certificate, reads the certificate
 * labelled by its key URI's object (else its name) from the keystore. Call
 * before cfg is shared between threads. Does nothing (and opens nothing)
 * when every SubCA has a certificate file. */
ir_rc ir_subca_certs_from_keystore(ir_config *cfg, ir_err *err);

/* The same with a keystore already open and logged in (the provider's). */
struct ir_keystore;
ir_rc ir_subca_certs_read(ir_config *cfg, struct ir_keystore *ks, ir_err *err);

/* The label of the SubCA's key and certificate in the token: its key URI's
 * object, else its name. uri is storage for the parsed URI. */
struct ir_ks_uri;
const char *ir_subca_key_label(const ir_subca_conf *s, struct ir_ks_uri *uri);

/* The SubCA's certificate as PEM (heap memory for free()). */
ir_rc ir_subca_cert_pem(const ir_config *cfg, const ir_subca_conf *subca, char **pem, ir_err *err);

#endif
