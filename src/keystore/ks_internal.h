/* Keystore internals shared by the files of src/keystore; not for other parts. */
#ifndef IOTREG_KEYSTORE_KS_INTERNAL_H
#define IOTREG_KEYSTORE_KS_INTERNAL_H

#include <pthread.h>
#include <sys/types.h>

#include "core/secret.h"
#include "keystore/keystore.h"

#define KS_POOL_MAX 32         /* idle sessions kept open */
#define KS_ATTR_MAX (1u << 20) /* cap for one attribute value read from the token */
#define KS_FIND_MAX 64         /* objects one lookup may return */

struct ir_keystore {
    CK_FUNCTION_LIST *p11;
    char *module;
    char *pin_file;
    char *config_path;
    char token_label[33];
    CK_SLOT_ID slot;
    pthread_mutex_t lock;
    /* Kept for logging in again in a forked child, in locked pages left out
     * of core dumps (IR_KS_PIN_MAX - 1 bytes); cleansed at close. */
    ir_secret *pin;
    bool logged_in;
    /* Holds the login: PKCS#11 logs out when an application's last session closes. */
    CK_SESSION_HANDLE login_session;
    bool has_login_session;
    CK_SESSION_HANDLE idle[KS_POOL_MAX];
    size_t n_idle;
    uint64_t generation; /* bumped by every (re-)initialisation */
    unsigned long forks_seen;
};

/* Records reason and rv for ir_keystore_last_reason()/_ckr() and formats err;
 * returns rc. */
ir_rc ks_fail(ir_err *err, ir_rc rc, ir_ks_reason reason, CK_RV rv, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A failed PKCS#11 call: "what: CKR_NAME"; the reason follows from rv. */
ir_rc ks_fail_rv(ir_err *err, CK_RV rv, const char *what);

/* Fork safety: a read lock held across every use of the module, which
 * pthread_atfork's prepare handler takes for writing so that a fork never
 * copies a call in progress. */
void ks_fork_guard_enter(void);
void ks_fork_guard_leave(void);
/* Forks seen by this process so far. */
unsigned long ks_fork_count(void);
/* Under ks->lock: re-initialises the module after a fork (new sessions,
 * login again). */
ir_rc ks_reinit_locked(ir_keystore *ks, ir_err *err);
/* Under ks->lock: finds the slot whose token is labelled ks->token_label. */
ir_rc ks_find_slot_locked(ir_keystore *ks, ir_err *err);
/* Under ks->lock: C_Login with ks->pin on the login session. */
ir_rc ks_login_locked(ir_keystore *ks, ir_err *err);
/* Under ks->lock: closes the pool and the login session. */
void ks_close_sessions_locked(ir_keystore *ks);

/* A CK_ATTRIBUTE from a value and its size. */
#define KS_ATTR(t, v, n) ((CK_ATTRIBUTE){(t), (void *)(v), (CK_ULONG)(n)})

/* Resolves ref with a session the caller holds (the fork guard is taken
 * once per thread, never nested). */
ir_rc ks_objref_resolve_with(ir_keystore *ks, CK_SESSION_HANDLE s, ir_ks_objref *ref,
                             CK_OBJECT_HANDLE *out, ir_err *err);

/* Creates an object from tmpl on a pooled session; *out may be NULL. */
ir_rc ks_create_object(ir_keystore *ks, CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *out,
                       ir_err *err);

/* Attribute type of the object of class cls labelled label (and
 * application, when not NULL), on a pooled session. */
ir_rc ks_read_attr(ir_keystore *ks, CK_OBJECT_CLASS cls, const char *label, const char *application,
                   CK_ATTRIBUTE_TYPE type, ir_buf *out, ir_err *err);

/* Fixed-size, space-padded PKCS#11 strings to a C string. */
void ks_padded_to_cstr(const unsigned char *padded, size_t n, char *out);

#endif
