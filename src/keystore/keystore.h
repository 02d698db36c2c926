/* The HSM-backed keystore: one PKCS#11 token (SoftHSM2 by default, any
 * module works) loaded through p11-kit, shared by the OpenSSL provider and
 * iotregctl.
 *
 * Objects are named by their CKA_LABEL (the SubCA's name) and class:
 *   private key, public key, certificate   label NAME (the SubCA)
 *   verification certificate               label NAME.verification
 *   registration record (JSON)             CKO_DATA, label NAME, application IR_KS_APP_REGISTRATION
 *   AWS secret ("AWS4"+secret, HMAC key)   CKO_SECRET_KEY, label NAME, CKA_ID = access key id
 *
 * Threads: every function may be called from any thread; signing sessions
 * come from a pool. Fork: a child re-initialises the module, logs in again
 * with the PIN kept (cleansed at close) and finds its objects anew.
 *
 * Failures return an ir_rc with err naming the problem and the fix; the
 * reason (ir_ks_reason) and the PKCS#11 return code of the last failure in
 * the calling thread are kept for callers that map them to their own codes
 * (the provider's IOTREG_R_*). */
#ifndef IOTREG_KEYSTORE_KEYSTORE_H
#define IOTREG_KEYSTORE_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <p11-kit/pkcs11.h>

#include "core/buf.h"
#include "core/error.h"

#define IR_KS_DEFAULT_MODULE      "/usr/lib/softhsm/libsofthsm2.so"
#define IR_KS_DEFAULT_TOKEN_LABEL "iotreg"
#define IR_KS_LABEL_MAX           64
#define IR_KS_PIN_MAX             256
#define IR_KS_VERIFICATION_SUFFIX ".verification"
#define IR_KS_APP_REGISTRATION    "iotreg-ca-registration"
#define IR_KS_AKID_MAX            128
#define IR_KS_SIG_MAX             512 /* an RSA-4096 signature; ECDSA's are shorter */

typedef enum ir_ks_reason {
    IR_KS_R_NONE = 0,
    IR_KS_R_INVALID,          /* a bad argument (label, key spec) */
    IR_KS_R_MODULE_LOAD,      /* the PKCS#11 module cannot be loaded or initialised */
    IR_KS_R_TOKEN_NOT_FOUND,  /* no token with the configured label */
    IR_KS_R_PIN_FILE,         /* PIN file missing, unreadable or readable by others */
    IR_KS_R_PIN_MISSING,      /* no PIN file and no way to ask for the PIN */
    IR_KS_R_PIN_INCORRECT,    /* CKR_PIN_INCORRECT */
    IR_KS_R_PIN_LOCKED,       /* CKR_PIN_LOCKED */
    IR_KS_R_OBJECT_NOT_FOUND, /* no object with that label and class */
    IR_KS_R_OBJECT_AMBIGUOUS, /* several objects with that label and class */
    IR_KS_R_OBJECT_EXISTS,    /* refusing to overwrite */
    IR_KS_R_UNSUPPORTED_KEY,  /* a key type or size iotreg does not handle */
    IR_KS_R_PKCS11,           /* any other PKCS#11 failure (the CKR_ name is in the message) */
} ir_ks_reason;

/* Reason and CK_RV of the last failure in this thread (IR_KS_R_NONE, CKR_OK
 * after a success is not guaranteed: read them only after a failure). */
ir_ks_reason ir_keystore_last_reason(void);
CK_RV ir_keystore_last_ckr(void);
/* "CKR_PIN_INCORRECT"; "CKR_VENDOR_DEFINED+0x12" for vendor codes. */
const char *ir_p11_rv_name(CK_RV rv);

/* Asks for the PIN (a terminal prompt, OpenSSL's passphrase callback). Writes
 * at most size-1 bytes and a NUL into pin. */
typedef ir_rc (*ir_ks_pin_fn)(void *ctx, char *pin, size_t size, ir_err *err);

typedef struct ir_keystore_opts {
    const char *module;      /* NULL = IR_KS_DEFAULT_MODULE (or a p11-kit module name) */
    const char *token_label; /* NULL = IR_KS_DEFAULT_TOKEN_LABEL */
    const char *pin_file;    /* user PIN; NULL: ask the pin_fn given to login */
    const char *softhsm_dir; /* SoftHSM2 only: SOFTHSM2_CONF defaults to DIR/softhsm2.conf,
                                in iotreg's own programs only (ir_ks_softhsm_env_allow) */
    const char *config_path; /* for messages: where the settings came from */
} ir_keystore_opts;

typedef struct ir_keystore ir_keystore;

/* Loads the module and finds the token (no login yet). */
ir_rc ir_keystore_open(const ir_keystore_opts *opts, ir_keystore **out, ir_err *err);
void ir_keystore_close(ir_keystore *ks);
/* Logs the user in once (idempotent): from the PIN file when one is
 * configured, else from fn (which may be NULL: then IR_KS_R_PIN_MISSING). */
ir_rc ir_keystore_login(ir_keystore *ks, ir_ks_pin_fn fn, void *fn_ctx, ir_err *err);
bool ir_keystore_logged_in(ir_keystore *ks);
const char *ir_keystore_token_label(const ir_keystore *ks);
const char *ir_keystore_module(const ir_keystore *ks);

/* Reads a PIN file, refusing one that group or others can read. */
ir_rc ir_ks_read_pin_file(const char *path, char *pin, size_t size, ir_err *err);

/* Sessions from the pool (read-write, logged in when the keystore is).
 * put returns the session; broken = true closes it instead. */
ir_rc ir_ks_session_get(ir_keystore *ks, CK_SESSION_HANDLE *out, ir_err *err);
void ir_ks_session_put(ir_keystore *ks, CK_SESSION_HANDLE s, bool broken);
/* The module's function list, for tests and tools that need raw PKCS#11. */
CK_FUNCTION_LIST *ir_ks_functions(ir_keystore *ks);

/* A token object named by class and label, with its handle cached until the
 * keystore is re-initialised (fork) or the handle turns out stale. */
typedef struct ir_ks_objref {
    CK_OBJECT_CLASS cls;
    char label[IR_KS_LABEL_MAX + 1];
    CK_OBJECT_HANDLE handle;
    uint64_t generation; /* 0 = not resolved */
} ir_ks_objref;

ir_rc ir_ks_objref_init(ir_ks_objref *ref, CK_OBJECT_CLASS cls, const char *label, ir_err *err);
ir_rc ir_ks_objref_resolve(ir_keystore *ks, ir_ks_objref *ref, CK_OBJECT_HANDLE *out, ir_err *err);

/* Label rules for names iotreg creates: 1..64 of [A-Za-z0-9_-]. */
ir_rc ir_ks_check_name(const char *name, ir_err *err);

/* Finds the one object of class cls labelled label (application, when not
 * NULL, must match CKA_APPLICATION: data objects). */
ir_rc ir_ks_find(ir_keystore *ks, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const char *label,
                 const char *application, CK_OBJECT_HANDLE *out, ir_err *err);
/* Whether such an object exists (errors other than "not found" are failures). */
ir_rc ir_ks_exists(ir_keystore *ks, CK_OBJECT_CLASS cls, const char *label, bool *out, ir_err *err);
/* One attribute's value into out (capped at max bytes). */
ir_rc ir_ks_get_attr(ir_keystore *ks, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h,
                     CK_ATTRIBUTE_TYPE type, ir_buf *out, ir_err *err);
/* Labels of every object of class cls, sorted, deduplicated; *n set. The
 * caller frees with ir_ks_labels_free. */
ir_rc ir_ks_list_labels(ir_keystore *ks, CK_OBJECT_CLASS cls, char ***labels, size_t *n,
                        ir_err *err);
void ir_ks_labels_free(char **labels, size_t n);
/* Destroys every object of class cls labelled label; *n (may be NULL) counts them. */
ir_rc ir_ks_destroy(ir_keystore *ks, CK_OBJECT_CLASS cls, const char *label, size_t *n,
                    ir_err *err);

/* The value of the certificate (DER) or data object labelled label. */
ir_rc ir_ks_read_cert(ir_keystore *ks, const char *label, ir_buf *der, ir_err *err);
ir_rc ir_ks_read_data(ir_keystore *ks, const char *label, const char *application, ir_buf *out,
                      ir_err *err);
/* Stores (replacing an object with the same label and class). A private
 * object (CKA_PRIVATE) is visible only after login. */
ir_rc ir_ks_store_cert(ir_keystore *ks, const char *label, const unsigned char *der, size_t len,
                       bool private_obj, ir_err *err);
ir_rc ir_ks_store_data(ir_keystore *ks, const char *label, const char *application,
                       const void *data, size_t len, ir_err *err);

/* The public half of the key labelled label: from its public key object,
 * else (RSA) the private key's modulus and exponent, else its certificate.
 * libctx/propq say where the EVP_PKEY's implementation comes from. */
ir_rc ir_ks_public_key(ir_keystore *ks, const char *label, OSSL_LIB_CTX *libctx, const char *propq,
                       EVP_PKEY **out, ir_err *err);

/* CKA_KEY_TYPE of the key of class cls (private or public) labelled label. */
ir_rc ir_ks_key_type(ir_keystore *ks, CK_OBJECT_CLASS cls, const char *label, CK_KEY_TYPE *out,
                     ir_err *err);

/* Key generation in the token: spec is "ec:P-256", "ec:P-384", "rsa:2048",
 * "rsa:3072" or "rsa:4096". The private key is CKA_SENSITIVE, not
 * extractable, CKA_TOKEN, CKA_PRIVATE; a public key object gets the same
 * label and CKA_ID. Refuses when a private key with that label exists. */
ir_rc ir_ks_generate_key(ir_keystore *ks, const char *label, const char *spec, ir_err *err);
/* Imports pkey's private (and public) part as non-extractable, sensitive
 * token objects labelled label. Refuses when one exists. */
ir_rc ir_ks_import_key(ir_keystore *ks, const char *label, EVP_PKEY *pkey, ir_err *err);
/* "ec:P-256" etc. into type, bits/curve name; IR_ERR_INVALID_ARG otherwise. */
ir_rc ir_ks_parse_key_spec(const char *spec, CK_KEY_TYPE *type, unsigned long *bits,
                           const char **curve, ir_err *err);

/* DigestInfo { md with NULL parameters, dgst }, as PKCS#1 v1.5 signs it;
 * *der freed by the caller with OPENSSL_free. Its length, or -1. */
int ir_ks_rsa_digest_info(const EVP_MD *md, const unsigned char *dgst, size_t dlen,
                          unsigned char **der);
/* C_SignInit + C_Sign on a pooled session with the key ref names (a stale
 * handle is looked up again once). siglen: in, the size of sig; out, the
 * signature's length. */
ir_rc ir_ks_sign(ir_keystore *ks, ir_ks_objref *key, CK_MECHANISM *mech, const unsigned char *in,
                 size_t inlen, unsigned char *sig, size_t *siglen, ir_err *err);
/* Signs dgst, the md digest of a message, with the private key labelled
 * label, into the form X.509 carries: a DER ECDSA-Sig-Value (CKM_ECDSA) for
 * EC keys, PKCS#1 v1.5 (CKM_RSA_PKCS over the DigestInfo) for RSA keys.
 * siglen: in, the size of sig; out, the signature's length. This is the
 * keystore's own path, not the provider's: no issuance tap sees it. */
ir_rc ir_ks_sign_digest(ir_keystore *ks, const char *label, const EVP_MD *md,
                        const unsigned char *dgst, size_t dlen, unsigned char *sig, size_t *siglen,
                        ir_err *err);
/* r||s (len bytes, r and s of equal length) as a DER ECDSA-Sig-Value into
 * sig (sigsize bytes); false when it is not r||s or does not fit. */
bool ir_ks_ecdsa_sig_der(const unsigned char *raw, size_t len, unsigned char *sig, size_t *siglen,
                         size_t sigsize);

/* AWS secret: stores "AWS4"+secret as a non-extractable CKK_GENERIC_SECRET
 * key with CKA_SIGN (CKM_SHA256_HMAC) labelled label, the access key id in
 * CKA_ID. Replaces a secret of that label. */
ir_rc ir_ks_aws_secret_store(ir_keystore *ks, const char *label, const char *access_key_id,
                             const char *secret, size_t secret_len, ir_err *err);
/* The access key id stored with the secret labelled label. */
ir_rc ir_ks_aws_access_key_id(ir_keystore *ks, const char *label, char *out, size_t size,
                              ir_err *err);
/* kDate = HMAC-SHA256("AWS4"+secret, date), computed inside the token. */
ir_rc ir_keystore_aws_kdate(ir_keystore *ks, const char *label, const char *date,
                            unsigned char out[32], ir_err *err);

/* Token management (iotregctl keystore init). */
typedef struct ir_ks_token_desc {
    CK_SLOT_ID slot;
    char label[33];
    char manufacturer[33];
    char model[17];
    char serial[17];
    bool initialized;
    bool user_pin_set;
} ir_ks_token_desc;

/* Describes the token the keystore opened. */
ir_rc ir_ks_token_describe(ir_keystore *ks, ir_ks_token_desc *out, ir_err *err);
/* Initialises a free slot of the module as a token labelled opts->token_label
 * with so_pin, then sets user_pin (C_InitToken, C_InitPIN). */
ir_rc ir_ks_token_create(const ir_keystore_opts *opts, const char *so_pin, const char *user_pin,
                         ir_err *err);
/* Makes SOFTHSM2_CONF point at DIR/softhsm2.conf when it is unset (no-op for
 * dir NULL); exported for `keystore init`, which also writes that file. */
void ir_ks_softhsm_env(const char *dir);
/* Called first by iotregctl and iotregd, never in a CA's process: from then
 * on, opening a keystore with a softhsm_dir sets SOFTHSM2_CONF when it is
 * unset. Elsewhere (the provider, the hook) the environment is left alone. */
void ir_ks_softhsm_env_allow(void);

#endif
