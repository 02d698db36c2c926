/* A SubCA's AWS registration in the CSP's own account (DESIGN.md, step 1):
 * GetRegistrationCode, a verification certificate (CN = the code, a fresh
 * software key, signed by the SubCA inside the token), RegisterCACertificate
 * (DEFAULT mode, active, auto-registration off). The registration token,
 * kept in the keystore, is the verification certificate (label
 * NAME.verification) and a JSON record (CKO_DATA, label NAME, application
 * IR_KS_APP_REGISTRATION):
 *   {"subca": NAME, "registrations": [{"account", "accountId", "region",
 *    "caCertificateId", "caCertificateArn", "registrationCode", "status",
 *    "registeredAt", "certificateMode", "verificationCertificate"}]}
 * A DEFAULT-mode CA belongs to one account per region; to shard a region
 * over several CSP accounts, the SubCA is registered in the others in
 * SNI_ONLY mode (sni_only), where neither code nor verification is needed.
 * Registering again is idempotent: a recorded registration that AWS still
 * has, a CA already listed in the account, or RegisterCACertificate's
 * ResourceAlreadyExistsException for this account fill the record in
 * instead of registering twice. */
#ifndef IOTREG_APP_SUBCA_REGISTER_H
#define IOTREG_APP_SUBCA_REGISTER_H

#include <openssl/evp.h>

#include "aws/iot/iot.h"
#include "keystore/keystore.h"

typedef struct ir_subca_registration {
    char account[IR_KS_LABEL_MAX + 1]; /* the CSP account's name in the configuration */
    char account_id[16];
    char region[32];
    char ca_certificate_id[65];
    char ca_certificate_arn[256];
    char registration_code[128];
    char status[32];
    char registered_at[32]; /* ISO 8601 UTC */
    char mode[16];          /* certificateMode: "DEFAULT" (also when the record predates it) or
                               "SNI_ONLY" */
} ir_subca_registration;

typedef enum ir_subca_reg_outcome {
    IR_SUBCA_REG_REGISTERED, /* RegisterCACertificate succeeded now */
    IR_SUBCA_REG_RECORDED,   /* the record said so and AWS confirmed it */
    IR_SUBCA_REG_FOUND,      /* registered before (listed, or AlreadyExists in this account) */
} ir_subca_reg_outcome;

typedef struct ir_subca_reg_request {
    const char *subca;
    const char *account;    /* the CSP account's name */
    const char *account_id; /* its 12-digit id */
    ir_aws_client *aws;
    const ir_iot_target *target; /* region, the account's credentials, endpoint */
    OSSL_LIB_CTX *libctx;        /* with the iotreg provider: signs the verification cert */
    const char *pin;             /* for the provider when there is no PIN file; may be NULL */
    bool sni_only;               /* certificateMode SNI_ONLY: no registration code, no verification
                                    certificate; any number of accounts per region; devices must send SNI */
} ir_subca_reg_request;

ir_rc ir_subca_register(ir_keystore *ks, const ir_subca_reg_request *req,
                        ir_subca_registration *out, ir_subca_reg_outcome *how, ir_err *err);

/* The registrations recorded for subca; *n = 0 when it has none. The caller
 * frees *out with free(). */
ir_rc ir_subca_registrations(ir_keystore *ks, const char *subca, ir_subca_registration **out,
                             size_t *n, ir_err *err);

/* Adds or replaces (same account id and region) reg in subca's record,
 * with its verification certificate (PEM, may be NULL to keep the old one). */
ir_rc ir_subca_record_registration(ir_keystore *ks, const char *subca,
                                   const ir_subca_registration *reg, const char *verification_pem,
                                   ir_err *err);

#endif
