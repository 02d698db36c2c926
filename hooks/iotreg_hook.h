/* iotreg_hook.so: the post-issuance hook a CA loads with dlopen() and calls
 * for every certificate it issues and every revocation.
 *
 * Modelled on EJBCA's custom publisher (ICustomPublisher): init with a
 * configuration, store a certificate with its end-entity metadata, revoke,
 * test the connection. A successful store means the certificate is in
 * iotreg's journal, durably (on disk, fsync'ed): iotregd delivers it to the
 * customer's AWS account later, and survives crashes in between.
 *
 * Rules for the host:
 *  - Check iotreg_hook_abi_version() == IOTREG_HOOK_ABI_VERSION (the major
 *    version this header describes) before any other call. Additions keep
 *    the version: new functions, new fields at the end of a struct that
 *    starts with struct_size. Incompatible changes raise it.
 *  - Every function returns an int: >= 0 is success, < 0 a failure whose
 *    message is in errbuf (always NUL-terminated when errlen > 0; errbuf may
 *    be NULL). iotreg_hook_strerror() names any code.
 *  - A handle may be used by any number of threads at once; several handles
 *    may exist at once (each opens its own journal connections). The module
 *    keeps no other state, so dlclose() and a later dlopen() start afresh.
 *  - Nothing is written to standard output, ever; nothing to standard error
 *    unless IOTREG_DEBUG is set in the environment (debug messages). Give a
 *    log function with iotreg_hook_set_logger() to receive messages.
 *  - The hook never aborts or exits the process.
 *  - Do not call into a handle across fork(): open a new one in the child.
 */
#ifndef IOTREG_HOOK_H
#define IOTREG_HOOK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IOTREG_HOOK_ABI_VERSION 1

/* Return codes. */
enum iotreg_hook_rc {
    IOTREG_HOOK_OK = 0,            /* journaled now */
    IOTREG_HOOK_ALREADY_KNOWN = 1, /* success: the journal had it already (nothing changed) */
    IOTREG_HOOK_EINVAL = -1,       /* bad argument: NULL handle or data, bad reason or time,
                                      bad metadata */
    IOTREG_HOOK_ECONFIG = -2,      /* configuration missing or invalid (errbuf names file and
                                      line), or the issuing SubCA's certificate, kept only in
                                      the keystore, could not be read (see iotreg_hook_init) */
    IOTREG_HOOK_EJOURNAL = -3, /* the journal cannot be opened or written: NOT recorded; retry */
    IOTREG_HOOK_ENOTCERT = -4, /* the data is not exactly one X.509 certificate */
    IOTREG_HOOK_EUNKNOWN_ISSUER = -5, /* not issued by a SubCA of the configuration */
    IOTREG_HOOK_EBADSIG = -6,         /* names a configured SubCA but its key did not sign it */
    IOTREG_HOOK_ENOTFOUND = -7,       /* revoke: no such certificate in the journal */
    IOTREG_HOOK_ENOMEM = -8,          /* out of memory; retry */
    IOTREG_HOOK_EINTERNAL = -9,       /* a bug in iotreg; the message says where */
};

/* Revocation times are seconds since the epoch (UTC): 0 means now, else
 * 1 to IOTREG_HOOK_TIME_MAX (9999-12-31T23:59:59Z). A time outside that
 * range (negative, or later) is IOTREG_HOOK_EINVAL and nothing is recorded. */
#define IOTREG_HOOK_TIME_MAX INT64_C(253402300799)

/* Certificate status, as EJBCA's storeCertificate passes it. */
enum iotreg_hook_cert_status {
    IOTREG_HOOK_CERT_ACTIVE = 0,
    IOTREG_HOOK_CERT_REVOKED = 1, /* stored and a revocation recorded at once */
};

/* Optional metadata for iotreg_hook_store_certificate (NULL for none).
 * Set struct_size to sizeof(iotreg_hook_metadata) and zero what you do not
 * use: fields added later are read only when struct_size covers them. */
typedef struct iotreg_hook_metadata {
    size_t struct_size;
    const char *end_entity;  /* the CA's end entity / username; attribution rules may match it */
    const char *profile;     /* certificate profile name; attribution rules may match it */
    const char *subca;       /* the issuing SubCA's name in iotreg's configuration, when the CA
                                knows it: needed for a SubCA whose certificate is only in the
                                keystore; a name that contradicts the certificate leaves it
                                unattributed, for an operator to decide */
    int status;              /* enum iotreg_hook_cert_status */
    int revocation_reason;   /* RFC 5280 CRLReason, when status is REVOKED */
    int64_t revocation_time; /* seconds since the epoch, when status is REVOKED; 0 = now;
                                range: IOTREG_HOOK_TIME_MAX */
} iotreg_hook_metadata;

typedef struct iotreg_hook iotreg_hook;

/* Levels passed to a log function. */
enum iotreg_hook_log_level {
    IOTREG_HOOK_LOG_ERROR = 0,
    IOTREG_HOOK_LOG_WARN = 1,
    IOTREG_HOOK_LOG_INFO = 2,
    IOTREG_HOOK_LOG_DEBUG = 3,
};

typedef void (*iotreg_hook_log_fn)(void *ctx, int level, const char *message);

/* The ABI version the loaded module implements. */
int iotreg_hook_abi_version(void);

/* A name for rc ("ok", "journal unavailable", ...); never NULL. */
const char *iotreg_hook_strerror(int rc);

/* Routes the module's messages to fn (NULL: drop them, or stderr for debug
 * messages when IOTREG_DEBUG is set). Applies to the whole loaded module;
 * call it before iotreg_hook_init. fn may be called from any thread, one
 * call at a time, and must not call back into the hook. */
void iotreg_hook_set_logger(iotreg_hook_log_fn fn, void *ctx);

/* Loads and validates the configuration (config_path NULL: $IOTREG_CONF,
 * else /etc/iotreg/iotreg.xml) and opens the journal. The certificate of a
 * SubCA configured without <cert-file> is read from the keystore here, once
 * (this loads the configured PKCS#11 module through p11-kit), so that what
 * it issues is checked against it. When that fails, init still succeeds
 * (the other SubCAs work) and the failure goes to the log; certificates
 * named as issued by such a SubCA are then refused with ECONFIG, never
 * taken unchecked: fix the keystore and init a new handle. */
int iotreg_hook_init(const char *config_path, iotreg_hook **out, char *errbuf, size_t errlen);

/* Journals a newly issued certificate: checks it is one X.509 certificate
 * (DER; PEM is accepted too) issued by a configured SubCA, attributes it to
 * a customer (or records it as unattributed, for an operator to assign),
 * and returns once the entry is durable. */
int iotreg_hook_store_certificate(iotreg_hook *h, const unsigned char *der, size_t der_len,
                                  const iotreg_hook_metadata *meta, char *errbuf, size_t errlen);

/* Records a revocation for iotregd to carry out in AWS (the certificate is
 * journaled first if it was not). reason: RFC 5280 CRLReason (0-6, 8-10);
 * revocation_time: seconds since the epoch, 0 = now, at most
 * IOTREG_HOOK_TIME_MAX (else EINVAL). ALREADY_KNOWN when a revocation was
 * recorded before. certificateHold (6) and removeFromCRL (8), which EJBCA
 * passes when it puts a certificate on hold and when it releases it, are no
 * revocation: OK, nothing is recorded (AWS's REVOKED cannot be undone). */
int iotreg_hook_revoke(iotreg_hook *h, const unsigned char *der, size_t der_len, int reason,
                       int64_t revocation_time, char *errbuf, size_t errlen);

/* The same for a certificate known only by its id (lower-case hex SHA-256
 * of its DER), which must be in the journal already. */
int iotreg_hook_revoke_id(iotreg_hook *h, const char *cert_id, int reason, int64_t revocation_time,
                          char *errbuf, size_t errlen);

/* Checks that the configuration is still valid and the journal writable,
 * and that init could read from the keystore every SubCA certificate kept
 * only there (ECONFIG naming the problem otherwise). */
int iotreg_hook_test_connection(iotreg_hook *h, char *errbuf, size_t errlen);

/* Closes the handle; h is invalid afterwards. No call on h may be running. */
void iotreg_hook_fini(iotreg_hook *h);

#ifdef __cplusplus
}
#endif

#endif
