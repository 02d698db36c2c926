/* Attribution: which customer a certificate belongs to, by the rules of the
 * configuration. Exactly one customer must match; otherwise the certificate
 * is unattributed, with a reason an operator can act on. Never a guess. */
#ifndef IOTREG_CAPTURE_ATTRIBUTION_H
#define IOTREG_CAPTURE_ATTRIBUTION_H

#include <openssl/x509.h>
#include <stddef.h>

#include "config/config.h"
#include "core/error.h"

/* What the CA tells about a certificate besides the certificate itself;
 * each field may be NULL. */
typedef struct ir_cert_meta {
    const char *end_entity; /* the CA's end-entity (username) */
    const char *profile;    /* the certificate profile */
    const char *subca;      /* the issuing SubCA's name in iotreg, when the CA knows it */
} ir_cert_meta;

typedef struct ir_attribution {
    const ir_customer_conf *customer; /* NULL when unattributed */
    const ir_subca_conf *subca;       /* the issuing SubCA when identified */
    char reason[256];                 /* why: the rule that matched, or why none did */
} ir_attribution;

/* Attributes the certificate der. Returns IR_OK whether or not a customer
 * was found (out->customer says); an error only when der is no certificate. */
ir_rc ir_attribute(const ir_config *cfg, const unsigned char *der, size_t der_len,
                   const ir_cert_meta *meta, ir_attribution *out, ir_err *err);
ir_rc ir_attribute_x509(const ir_config *cfg, X509 *cert, const ir_cert_meta *meta,
                        ir_attribution *out, ir_err *err);

/* The configured SubCA whose certificate issued cert (issuer name, key
 * identifier and signature), or *out NULL when none did. Only SubCAs whose
 * certificate is known count: from cert-file, or ir_config_set_subca_cert. */
ir_rc ir_find_issuing_subca(const ir_config *cfg, X509 *cert, const ir_subca_conf **out,
                            ir_err *err);

/* Whether value satisfies the match m (exact, prefix or regex); false for NULL. */
bool ir_match_value(const ir_match *m, const char *value);

#endif
