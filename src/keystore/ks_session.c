/* The session pool, login, and fork safety.
 *
 * Fork: pthread_atfork's prepare handler takes the fork guard for writing,
 * so no thread is inside the module when the address space is copied; the
 * child counts the fork, and each keystore notices on its next use that it
 * must re-initialise the module and log in again (ks_reinit_locked). The
 * guard prefers writers so that a busy signing load cannot hold a fork off
 * for long; nothing takes it twice in one thread. */
#include "autoconf.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/secret.h"
#include "keystore/ks_internal.h"

static pthread_rwlock_t fork_guard;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;
static volatile unsigned long fork_count;

static void guard_init(void)
{
    pthread_rwlockattr_t attr;

    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&fork_guard, &attr);
    pthread_rwlockattr_destroy(&attr);
}

static void guard_prepare(void)
{
    pthread_rwlock_wrlock(&fork_guard);
}

static void guard_parent(void)
{
    pthread_rwlock_unlock(&fork_guard);
}

/* The child's only thread has a new thread id, so it cannot unlock the
 * parent's write lock: the guard starts afresh instead. */
static void guard_child(void)
{
    fork_count++;
    guard_init();
}

static void guard_setup(void)
{
    guard_init();
    pthread_atfork(guard_prepare, guard_parent, guard_child);
}

void ks_fork_guard_enter(void)
{
    pthread_once(&fork_once, guard_setup);
    pthread_rwlock_rdlock(&fork_guard);
}

void ks_fork_guard_leave(void)
{
    pthread_rwlock_unlock(&fork_guard);
}

unsigned long ks_fork_count(void)
{
    pthread_once(&fork_once, guard_setup);
    return fork_count;
}

void ks_close_sessions_locked(ir_keystore *ks)
{
    while (ks->n_idle > 0)
        ks->p11->C_CloseSession(ks->idle[--ks->n_idle]);
    if (ks->has_login_session) {
        if (ks->logged_in)
            ks->p11->C_Logout(ks->login_session);
        ks->p11->C_CloseSession(ks->login_session);
        ks->has_login_session = false;
    }
    ks->logged_in = false;
}

static ir_rc open_session(ir_keystore *ks, CK_SESSION_HANDLE *out, ir_err *err)
{
    CK_RV rv =
        ks->p11->C_OpenSession(ks->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, out);

    if (rv != CKR_OK)
        return ks_fail_rv(err, rv, "C_OpenSession");
    return IR_OK;
}

/* Takes an idle session or says none is left; re-initialises after a fork. */
static ir_rc take_idle(ir_keystore *ks, CK_SESSION_HANDLE *out, bool *got, ir_err *err)
{
    ir_rc rc = IR_OK;

    *got = false;
    pthread_mutex_lock(&ks->lock);
    if (ks->forks_seen != ks_fork_count())
        rc = ks_reinit_locked(ks, err);
    if (rc == IR_OK && ks->n_idle > 0) {
        *out = ks->idle[--ks->n_idle];
        *got = true;
    }
    pthread_mutex_unlock(&ks->lock);
    return rc;
}

ir_rc ir_ks_session_get(ir_keystore *ks, CK_SESSION_HANDLE *out, ir_err *err)
{
    bool got;
    ir_rc rc;

    ks_fork_guard_enter();
    rc = take_idle(ks, out, &got, err);
    if (rc == IR_OK && !got)
        rc = open_session(ks, out, err);
    if (rc != IR_OK)
        ks_fork_guard_leave();
    return rc;
}

void ir_ks_session_put(ir_keystore *ks, CK_SESSION_HANDLE s, bool broken)
{
    pthread_mutex_lock(&ks->lock);
    if (!broken && ks->n_idle < KS_POOL_MAX) {
        ks->idle[ks->n_idle++] = s;
        s = CK_INVALID_HANDLE;
    }
    pthread_mutex_unlock(&ks->lock);
    if (s != CK_INVALID_HANDLE)
        ks->p11->C_CloseSession(s);
    ks_fork_guard_leave();
}

static ir_rc pin_file_failed(ir_err *err, ir_rc rc)
{
    char msg[IR_ERR_MSG_MAX];

    snprintf(msg, sizeof(msg), "%s", err != NULL ? err->msg : "");
    return ks_fail(err, rc, IR_KS_R_PIN_FILE, CKR_OK, "PIN file: %s", msg);
}

/* Reads the PIN file into pin (size bytes with the NUL); a final newline is
 * not part of the PIN. */
ir_rc ir_ks_read_pin_file(const char *path, char *pin, size_t size, ir_err *err)
{
    ir_secret *s = NULL;
    size_t n;
    ir_rc rc = ir_secret_file_read(path, size, &s, err);

    if (rc != IR_OK)
        return pin_file_failed(err, rc);
    ir_secret_trim_end(s, "\r\n");
    n = ir_secret_len(s);
    if (n == 0 || n >= size || memchr(ir_secret_cstr(s), '\0', n) != NULL) {
        ir_secret_destroy(s);
        return ks_fail(err, IR_ERR_CONFIG, IR_KS_R_PIN_FILE, CKR_OK,
                       "PIN file %s is empty, holds a NUL byte or is longer than %zu bytes; "
                       "write the token's user PIN into it (one line)",
                       path, size - 1);
    }
    memcpy(pin, ir_secret_cstr(s), n + 1);
    ir_secret_destroy(s);
    return IR_OK;
}

static ir_rc login_failed(ir_keystore *ks, CK_RV rv, ir_err *err)
{
    bool from_file = ks->pin_file != NULL && access(ks->pin_file, F_OK) == 0;

    if (rv == CKR_PIN_INCORRECT)
        return ks_fail(err, IR_ERR_PERMISSION, IR_KS_R_PIN_INCORRECT, rv,
                       "the PIN for token '%s' is incorrect (CKR_PIN_INCORRECT); check %s%s",
                       ks->token_label, from_file ? "the PIN file " : "the PIN entered",
                       from_file ? ks->pin_file : "");
    if (rv == CKR_PIN_LOCKED)
        return ks_fail(err, IR_ERR_PERMISSION, IR_KS_R_PIN_LOCKED, rv,
                       "the user PIN of token '%s' is locked (CKR_PIN_LOCKED); the security "
                       "officer must reset it (softhsm2-util / C_InitPIN)",
                       ks->token_label);
    return ks_fail(err, IR_ERR_PKCS11, IR_KS_R_PKCS11, rv, "C_Login to token '%s' failed: %s",
                   ks->token_label, ir_p11_rv_name(rv));
}

ir_rc ks_login_locked(ir_keystore *ks, ir_err *err)
{
    CK_RV rv;
    ir_rc rc;

    if (!ks->has_login_session) {
        rc = open_session(ks, &ks->login_session, err);
        if (rc != IR_OK)
            return rc;
        ks->has_login_session = true;
    }
    rv = ks->p11->C_Login(ks->login_session, CKU_USER, (CK_UTF8CHAR *)ir_secret_data(ks->pin),
                          ir_secret_len(ks->pin));
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
        ir_secret_clear(ks->pin);
        return login_failed(ks, rv, err);
    }
    ks->logged_in = true;
    return IR_OK;
}

/* Fills ks->pin from the PIN file or the callback. */
static ir_rc get_pin_locked(ir_keystore *ks, ir_ks_pin_fn fn, void *fn_ctx, ir_err *err)
{
    bool use_file = ks->pin_file != NULL && (fn == NULL || access(ks->pin_file, F_OK) == 0);
    char *pin = ir_secret_data(ks->pin);
    size_t size = ir_secret_cap(ks->pin) + 1;
    ir_rc rc;

    /* A configured PIN file that does not exist lets the caller ask instead. */
    if (use_file)
        rc = ir_ks_read_pin_file(ks->pin_file, pin, size, err);
    else if (fn == NULL)
        rc = ks_fail(err, IR_ERR_CONFIG, IR_KS_R_PIN_MISSING, CKR_OK,
                     "no PIN for token '%s': set <pin-file> in <keystore> of %s (a file with "
                     "mode 600) or supply the PIN when asked",
                     ks->token_label,
                     ks->config_path != NULL ? ks->config_path : "the configuration");
    else
        rc = fn(fn_ctx, pin, size, err);
    if (rc == IR_OK) {
        pin[size - 1] = '\0';
        ir_secret_set_len(ks->pin, strlen(pin));
    }
    return rc;
}

ir_rc ir_keystore_login(ir_keystore *ks, ir_ks_pin_fn fn, void *fn_ctx, ir_err *err)
{
    ir_rc rc = IR_OK;

    ks_fork_guard_enter();
    pthread_mutex_lock(&ks->lock);
    if (ks->forks_seen != ks_fork_count())
        rc = ks_reinit_locked(ks, err);
    if (rc == IR_OK && !ks->logged_in) {
        rc = get_pin_locked(ks, fn, fn_ctx, err);
        if (rc == IR_OK)
            rc = ks_login_locked(ks, err);
        else
            ir_secret_clear(ks->pin);
    }
    pthread_mutex_unlock(&ks->lock);
    ks_fork_guard_leave();
    if (rc == IR_OK)
        ir_log_debug("keystore: logged in to token '%s'", ks->token_label);
    return rc;
}

bool ir_keystore_logged_in(ir_keystore *ks)
{
    bool in;

    pthread_mutex_lock(&ks->lock);
    in = ks->logged_in;
    pthread_mutex_unlock(&ks->lock);
    return in;
}
