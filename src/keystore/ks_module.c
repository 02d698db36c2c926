/* Loading the PKCS#11 module through p11-kit, finding the token by label,
 * opening and closing a keystore. */
#include "autoconf.h"

#include <p11-kit/p11-kit.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "keystore/ks_internal.h"

void ks_padded_to_cstr(const unsigned char *padded, size_t n, char *out)
{
    while (n > 0 && (padded[n - 1] == ' ' || padded[n - 1] == '\0'))
        n--;
    memcpy(out, padded, n);
    out[n] = '\0';
}

/* Set once by iotreg's own programs; a CA's process never sets it, so the
 * provider and the hook leave the CA's environment alone. */
static atomic_bool own_process_env;

void ir_ks_softhsm_env_allow(void)
{
    atomic_store(&own_process_env, true);
}

void ir_ks_softhsm_env(const char *dir)
{
    char path[4096];

    if (dir == NULL || getenv("SOFTHSM2_CONF") != NULL)
        return;
    if ((size_t)snprintf(path, sizeof(path), "%s/softhsm2.conf", dir) >= sizeof(path))
        return;
    setenv("SOFTHSM2_CONF", path, 0);
}

/* Only in iotregctl and iotregd (see ir_ks_softhsm_env_allow). */
static void softhsm_env_if_own(const char *dir)
{
    if (atomic_load(&own_process_env))
        ir_ks_softhsm_env(dir);
}

/* p11-kit manages the module: several users in one process (the CA's own
 * PKCS#11 code, a second keystore) each get their own initialisation. */
static ir_rc load_module(const char *path, CK_FUNCTION_LIST **out, ir_err *err)
{
    CK_FUNCTION_LIST *p11 = p11_kit_module_load(path, 0);
    CK_RV rv;

    if (p11 == NULL) {
        const char *why = p11_kit_message();
        return ks_fail(err, IR_ERR_PKCS11, IR_KS_R_MODULE_LOAD, CKR_GENERAL_ERROR,
                       "cannot load the PKCS#11 module %s: %s; install it (SoftHSM2: apt-get "
                       "install softhsm2) or set <module> in <keystore> of the configuration",
                       path, why != NULL ? why : "unknown reason");
    }
    rv = p11_kit_module_initialize(p11);
    if (rv != CKR_OK) {
        p11_kit_module_release(p11);
        return ks_fail(err, IR_ERR_PKCS11, IR_KS_R_MODULE_LOAD, rv,
                       "cannot initialise the PKCS#11 module %s: %s (SoftHSM2: check that "
                       "SOFTHSM2_CONF names a readable configuration)",
                       path, ir_p11_rv_name(rv));
    }
    *out = p11;
    return IR_OK;
}

static void unload_module(CK_FUNCTION_LIST *p11)
{
    if (p11 == NULL)
        return;
    p11_kit_module_finalize(p11);
    p11_kit_module_release(p11);
}

static ir_rc slot_list(CK_FUNCTION_LIST *p11, CK_SLOT_ID **slots, CK_ULONG *n, ir_err *err)
{
    CK_RV rv = p11->C_GetSlotList(CK_TRUE, NULL, n);

    *slots = NULL;
    if (rv != CKR_OK)
        return ks_fail_rv(err, rv, "C_GetSlotList");
    *slots = calloc(*n + 1, sizeof(CK_SLOT_ID));
    if (*slots == NULL)
        return ks_fail(err, IR_ERR_NOMEM, IR_KS_R_PKCS11, CKR_HOST_MEMORY, "out of memory");
    rv = p11->C_GetSlotList(CK_TRUE, *slots, n);
    if (rv != CKR_OK) {
        free(*slots);
        *slots = NULL;
        return ks_fail_rv(err, rv, "C_GetSlotList");
    }
    return IR_OK;
}

/* Appends "'label'" of an initialised token to the list in seen. */
static void note_token(const CK_TOKEN_INFO *ti, char *seen, size_t size)
{
    char label[33];
    size_t used = strlen(seen);

    if (!(ti->flags & CKF_TOKEN_INITIALIZED))
        return;
    ks_padded_to_cstr(ti->label, sizeof(ti->label), label);
    snprintf(seen + used, size - used, "%s'%s'", used > 0 ? ", " : "", label);
}

static ir_rc token_not_found(const ir_keystore *ks, const char *seen, ir_err *err)
{
    return ks_fail(err, IR_ERR_NOT_FOUND, IR_KS_R_TOKEN_NOT_FOUND, CKR_TOKEN_NOT_PRESENT,
                   "no PKCS#11 token labelled '%s' in %s (tokens present: %s); create it with "
                   "`iotregctl keystore init` or set <token-label> in <keystore> of %s",
                   ks->token_label, ks->module, seen[0] != '\0' ? seen : "none",
                   ks->config_path != NULL ? ks->config_path : "the configuration");
}

ir_rc ks_find_slot_locked(ir_keystore *ks, ir_err *err)
{
    CK_SLOT_ID *slots = NULL;
    CK_TOKEN_INFO ti;
    CK_ULONG n = 0, i;
    char label[33], seen[256] = "";
    ir_rc rc = slot_list(ks->p11, &slots, &n, err);

    if (rc != IR_OK)
        return rc;
    for (i = 0; i < n; i++) {
        if (ks->p11->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
            continue;
        ks_padded_to_cstr(ti.label, sizeof(ti.label), label);
        if ((ti.flags & CKF_TOKEN_INITIALIZED) && strcmp(label, ks->token_label) == 0) {
            ks->slot = slots[i];
            free(slots);
            return IR_OK;
        }
        note_token(&ti, seen, sizeof(seen));
    }
    free(slots);
    return token_not_found(ks, seen, err);
}

static ir_rc copy_opts(ir_keystore *ks, const ir_keystore_opts *o, ir_err *err)
{
    const char *label = o->token_label != NULL ? o->token_label : IR_KS_DEFAULT_TOKEN_LABEL;

    if (strlen(label) > 32)
        return ks_fail(err, IR_ERR_CONFIG, IR_KS_R_INVALID, CKR_ARGUMENTS_BAD,
                       "token label '%s' is longer than PKCS#11's 32 characters", label);
    snprintf(ks->token_label, sizeof(ks->token_label), "%s", label);
    ks->module = strdup(o->module != NULL ? o->module : IR_KS_DEFAULT_MODULE);
    ks->pin_file = o->pin_file != NULL ? strdup(o->pin_file) : NULL;
    ks->config_path = o->config_path != NULL ? strdup(o->config_path) : NULL;
    if (ks->module == NULL || (o->pin_file != NULL && ks->pin_file == NULL) ||
        (o->config_path != NULL && ks->config_path == NULL))
        return ks_fail(err, IR_ERR_NOMEM, IR_KS_R_PKCS11, CKR_HOST_MEMORY, "out of memory");
    return IR_OK;
}

/* At process exit, OpenSSL tears providers down from its own exit handler,
 * which runs after the PKCS#11 module's destructors (the module was loaded
 * later): calling into the module then crashes it. A handler registered
 * right after the module is loaded runs before those destructors and notes
 * that the process is exiting; closing then leaves the module alone. (In a
 * shared object, glibc runs it at dlclose too, so it never outlives us.) */
static atomic_int ks_exiting;
static pthread_once_t ks_exit_once = PTHREAD_ONCE_INIT;

static void ks_note_exit(void)
{
    atomic_store(&ks_exiting, 1);
}

static void ks_watch_exit(void)
{
    atexit(ks_note_exit);
}

ir_rc ir_keystore_open(const ir_keystore_opts *opts, ir_keystore **out, ir_err *err)
{
    ir_keystore *ks = calloc(1, sizeof(*ks));
    ir_rc rc;

    *out = NULL;
    if (ks == NULL)
        return ks_fail(err, IR_ERR_NOMEM, IR_KS_R_PKCS11, CKR_HOST_MEMORY, "out of memory");
    pthread_mutex_init(&ks->lock, NULL);
    ks->forks_seen = ks_fork_count();
    rc = copy_opts(ks, opts, err);
    if (rc == IR_OK && ir_secret_new(IR_KS_PIN_MAX - 1, &ks->pin, NULL) != IR_OK)
        rc = ks_fail(err, IR_ERR_NOMEM, IR_KS_R_PKCS11, CKR_HOST_MEMORY, "out of memory");
    if (rc != IR_OK)
        goto out;
    softhsm_env_if_own(opts->softhsm_dir);
    rc = load_module(ks->module, &ks->p11, err);
    if (rc != IR_OK)
        goto out;
    pthread_once(&ks_exit_once, ks_watch_exit);
    rc = ks_find_slot_locked(ks, err);
    if (rc != IR_OK)
        goto out;
    ks->generation = 1;
    ir_log_debug("keystore: token '%s' in slot %lu of %s", ks->token_label, ks->slot, ks->module);
    *out = ks;
out:
    if (rc != IR_OK)
        ir_keystore_close(ks);
    return rc;
}

void ir_keystore_close(ir_keystore *ks)
{
    if (ks == NULL)
        return;
    pthread_mutex_lock(&ks->lock);
    if (atomic_load(&ks_exiting)) {
        /* The module may be half torn down: the process is ending anyway. */
    } else if (ks->forks_seen == ks_fork_count() && ks->p11 != NULL) {
        ks_close_sessions_locked(ks);
        unload_module(ks->p11);
    } else if (ks->p11 != NULL) {
        /* A child must not close its parent's sessions: only let go. */
        p11_kit_module_release(ks->p11);
    }
    pthread_mutex_unlock(&ks->lock);
    ir_secret_destroy(ks->pin);
    pthread_mutex_destroy(&ks->lock);
    free(ks->module);
    free(ks->pin_file);
    free(ks->config_path);
    free(ks);
}

const char *ir_keystore_token_label(const ir_keystore *ks)
{
    return ks->token_label;
}

const char *ir_keystore_module(const ir_keystore *ks)
{
    return ks->module;
}

CK_FUNCTION_LIST *ir_ks_functions(ir_keystore *ks)
{
    return ks->p11;
}

ir_rc ks_reinit_locked(ir_keystore *ks, ir_err *err)
{
    CK_RV rv;
    ir_rc rc;

    ir_log_debug("keystore: re-initialising %s after fork", ks->module);
    ks->n_idle = 0; /* the parent's sessions: not ours to close */
    ks->has_login_session = false;
    p11_kit_module_finalize(ks->p11);
    rv = p11_kit_module_initialize(ks->p11);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
        return ks_fail_rv(err, rv, "C_Initialize after fork");
    ks->forks_seen = ks_fork_count();
    ks->generation++;
    rc = ks_find_slot_locked(ks, err);
    if (rc == IR_OK && ks->logged_in) {
        ks->logged_in = false;
        rc = ks_login_locked(ks, err);
    }
    return rc;
}

ir_rc ir_ks_token_describe(ir_keystore *ks, ir_ks_token_desc *out, ir_err *err)
{
    CK_TOKEN_INFO ti;
    CK_RV rv;

    ks_fork_guard_enter();
    rv = ks->p11->C_GetTokenInfo(ks->slot, &ti);
    ks_fork_guard_leave();
    if (rv != CKR_OK)
        return ks_fail_rv(err, rv, "C_GetTokenInfo");
    memset(out, 0, sizeof(*out));
    out->slot = ks->slot;
    ks_padded_to_cstr(ti.label, sizeof(ti.label), out->label);
    ks_padded_to_cstr(ti.manufacturerID, sizeof(ti.manufacturerID), out->manufacturer);
    ks_padded_to_cstr(ti.model, sizeof(ti.model), out->model);
    ks_padded_to_cstr(ti.serialNumber, sizeof(ti.serialNumber), out->serial);
    out->initialized = (ti.flags & CKF_TOKEN_INITIALIZED) != 0;
    out->user_pin_set = (ti.flags & CKF_USER_PIN_INITIALIZED) != 0;
    return IR_OK;
}

/* Token creation works on a module without the keystore's token. */
static ir_rc free_slot(CK_FUNCTION_LIST *p11, const char *label, CK_SLOT_ID *out, ir_err *err)
{
    CK_SLOT_ID *slots = NULL;
    CK_TOKEN_INFO ti;
    CK_ULONG n = 0, i;
    char have[33];
    ir_rc rc = slot_list(p11, &slots, &n, err);

    if (rc != IR_OK)
        return rc;
    rc = ks_fail(err, IR_ERR_NOT_FOUND, IR_KS_R_TOKEN_NOT_FOUND, CKR_TOKEN_NOT_PRESENT,
                 "the PKCS#11 module has no free slot to create token '%s' in", label);
    for (i = 0; i < n; i++) {
        if (p11->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
            continue;
        ks_padded_to_cstr(ti.label, sizeof(ti.label), have);
        if ((ti.flags & CKF_TOKEN_INITIALIZED) && strcmp(have, label) == 0) {
            rc = ks_fail(err, IR_ERR_EXISTS, IR_KS_R_OBJECT_EXISTS, CKR_OK,
                         "a token labelled '%s' exists already", label);
            break;
        }
        if (!(ti.flags & CKF_TOKEN_INITIALIZED) && rc == IR_ERR_NOT_FOUND) {
            *out = slots[i];
            rc = IR_OK;
        }
    }
    free(slots);
    return rc;
}

static ir_rc init_user_pin(ir_keystore *ks, const char *so_pin, const char *user_pin, ir_err *err)
{
    CK_SESSION_HANDLE s;
    CK_RV rv =
        ks->p11->C_OpenSession(ks->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);

    if (rv != CKR_OK)
        return ks_fail_rv(err, rv, "C_OpenSession");
    rv = ks->p11->C_Login(s, CKU_SO, (CK_UTF8CHAR *)so_pin, strlen(so_pin));
    if (rv == CKR_OK) {
        rv = ks->p11->C_InitPIN(s, (CK_UTF8CHAR *)user_pin, strlen(user_pin));
        ks->p11->C_Logout(s);
        if (rv != CKR_OK)
            ks_fail_rv(err, rv, "C_InitPIN (setting the user PIN)");
    } else {
        ks_fail_rv(err, rv, "C_Login as security officer");
    }
    ks->p11->C_CloseSession(s);
    return rv == CKR_OK ? IR_OK : IR_ERR_PKCS11;
}

ir_rc ir_ks_token_create(const ir_keystore_opts *opts, const char *so_pin, const char *user_pin,
                         ir_err *err)
{
    ir_keystore ks = {0};
    unsigned char label32[32];
    CK_SLOT_ID slot = 0;
    CK_RV rv;
    ir_rc rc = copy_opts(&ks, opts, err);

    if (rc != IR_OK)
        goto out;
    softhsm_env_if_own(opts->softhsm_dir);
    rc = load_module(ks.module, &ks.p11, err);
    if (rc != IR_OK)
        goto out;
    rc = free_slot(ks.p11, ks.token_label, &slot, err);
    if (rc != IR_OK)
        goto out;
    memset(label32, ' ', sizeof(label32));
    memcpy(label32, ks.token_label, strlen(ks.token_label));
    rv = ks.p11->C_InitToken(slot, (CK_UTF8CHAR *)so_pin, strlen(so_pin), label32);
    if (rv != CKR_OK) {
        rc = ks_fail_rv(err, rv, "C_InitToken");
        goto out;
    }
    /* SoftHSM2 gives the new token a slot id of its own: look it up again. */
    rc = ks_find_slot_locked(&ks, err);
    if (rc == IR_OK)
        rc = init_user_pin(&ks, so_pin, user_pin, err);
out:
    unload_module(ks.p11);
    free(ks.module);
    free(ks.pin_file);
    free(ks.config_path);
    return rc;
}
