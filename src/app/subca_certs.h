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

/* The same with a keystore already open and logged in (the provider's).
 * Goes on past a SubCA whose certificate cannot be read (err: the first). */
struct ir_keystore;
ir_rc ir_subca_certs_read(ir_config *cfg, struct ir_keystore *ks, ir_err *err);

/* The label of the SubCA's key and certificate in the token: its key URI's
 * object, else its name. uri is storage for the parsed URI. */
struct ir_ks_uri;
const char *ir_subca_key_label(const ir_subca_conf *s, struct ir_ks_uri *uri);

/* Refuses (IR_ERR_CONFIG, naming the SubCA, why and the fix) a certificate
 * the CA says the configured SubCA `named` issued when that SubCA's
 * certificate is unknown: it is kept only in the keystore, which could not
 * be read (why: that failure's message, or NULL), and without it the
 * signature cannot be checked. IR_OK when named is NULL, names no configured
 * SubCA (capture refuses or records that itself) or its certificate is
 * known. */
ir_rc ir_subca_cert_needed(const ir_config *cfg, const char *named, const char *why, ir_err *err);

/* The SubCA's certificate as PEM (heap memory for free()). */
ir_rc ir_subca_cert_pem(const ir_config *cfg, const ir_subca_conf *subca, char **pem, ir_err *err);

#endif
