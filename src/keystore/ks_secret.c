/* The AWS secret access key as a non-extractable HMAC key in the token:
 * SigV4's first step, kDate = HMAC-SHA256("AWS4"+secret, date), runs inside
 * the token, so the secret is never in process memory after it is stored. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/secret.h"
#include "keystore/ks_internal.h"

static ir_rc check_akid(const char *akid, ir_err *err)
{
    size_t i, n = akid != NULL ? strlen(akid) : 0;

    for (i = 0; i < n; i++)
        if (!((akid[i] >= 'A' && akid[i] <= 'Z') || (akid[i] >= '0' && akid[i] <= '9')))
            break;
    if (n < 16 || n > IR_KS_AKID_MAX || i < n)
        return ks_fail(err, IR_ERR_INVALID_ARG, IR_KS_R_INVALID, CKR_OK,
                       "'%s' is not an AWS access key id (16 to %d upper-case letters and digits)",
                       akid != NULL ? akid : "", IR_KS_AKID_MAX);
    return IR_OK;
}

static ir_rc create_secret(ir_keystore *ks, const char *label, const char *akid,
                           const unsigned char *value, size_t len, ir_err *err)
{
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_KEY_TYPE type = CKK_GENERIC_SECRET;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ATTRIBUTE tmpl[] = {
        KS_ATTR(CKA_CLASS, &cls, sizeof(cls)),
        KS_ATTR(CKA_KEY_TYPE, &type, sizeof(type)),
        KS_ATTR(CKA_TOKEN, &yes, sizeof(yes)),
        KS_ATTR(CKA_PRIVATE, &yes, sizeof(yes)),
        KS_ATTR(CKA_SENSITIVE, &yes, sizeof(yes)),
        KS_ATTR(CKA_EXTRACTABLE, &no, sizeof(no)),
        KS_ATTR(CKA_SIGN, &yes, sizeof(yes)),
        KS_ATTR(CKA_VERIFY, &no, sizeof(no)),
        KS_ATTR(CKA_ENCRYPT, &no, sizeof(no)),
        KS_ATTR(CKA_DECRYPT, &no, sizeof(no)),
        KS_ATTR(CKA_LABEL, label, strlen(label)),
        KS_ATTR(CKA_ID, akid, strlen(akid)),
        KS_ATTR(CKA_VALUE, value, len),
    };

    return ks_create_object(ks, tmpl, sizeof(tmpl) / sizeof(tmpl[0]), NULL, err);
}

/* Removes the older secrets labelled label, keeping the one just made. */
static ir_rc remove_old(ir_keystore *ks, const char *label, CK_OBJECT_HANDLE *old, CK_ULONG n,
                        ir_err *err)
{
    CK_SESSION_HANDLE s;
    CK_ULONG i;
    CK_RV rv = CKR_OK;
    ir_rc rc = ir_ks_session_get(ks, &s, err);

    if (rc != IR_OK)
        return rc;
    for (i = 0; i < n && rv == CKR_OK; i++)
        rv = ks->p11->C_DestroyObject(s, old[i]);
    ir_ks_session_put(ks, s, false);
    return rv == CKR_OK ? IR_OK : ks_fail_rv(err, rv, "C_DestroyObject (the replaced secret)");
}

static ir_rc find_old(ir_keystore *ks, const char *label, CK_OBJECT_HANDLE *old, CK_ULONG *n,
                      ir_err *err)
{
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_ATTRIBUTE tmpl[] = {KS_ATTR(CKA_CLASS, &cls, sizeof(cls)),
                           KS_ATTR(CKA_LABEL, label, strlen(label))};
    CK_SESSION_HANDLE s;
    CK_RV rv;
    ir_rc rc = ir_ks_session_get(ks, &s, err);

    *n = 0;
    if (rc != IR_OK)
        return rc;
    rv = ks->p11->C_FindObjectsInit(s, tmpl, 2);
    if (rv == CKR_OK) {
        rv = ks->p11->C_FindObjects(s, old, KS_FIND_MAX, n);
        ks->p11->C_FindObjectsFinal(s);
    }
    ir_ks_session_put(ks, s, false);
    return rv == CKR_OK ? IR_OK : ks_fail_rv(err, rv, "C_FindObjects");
}

ir_rc ir_ks_aws_secret_store(ir_keystore *ks, const char *label, const char *access_key_id,
                             const char *secret, size_t secret_len, ir_err *err)
{
    CK_OBJECT_HANDLE old[KS_FIND_MAX];
    CK_ULONG n_old = 0;
    unsigned char *value;
    ir_rc rc = ir_ks_check_name(label, err);

    if (rc == IR_OK)
        rc = check_akid(access_key_id, err);
    if (rc == IR_OK && (secret_len == 0 || secret_len > 256))
        rc = ks_fail(err, IR_ERR_INVALID_ARG, IR_KS_R_INVALID, CKR_OK,
                     "the secret access key is empty or longer than 256 bytes");
    if (rc == IR_OK)
        rc = find_old(ks, label, old, &n_old, err);
    if (rc != IR_OK)
        return rc;
    value = malloc(4 + secret_len);
    if (value == NULL)
        return ks_fail(err, IR_ERR_NOMEM, IR_KS_R_PKCS11, CKR_HOST_MEMORY, "out of memory");
    memcpy(value, "AWS4", 4);
    memcpy(value + 4, secret, secret_len);
    rc = create_secret(ks, label, access_key_id, value, 4 + secret_len, err);
    ir_secret_free(value, 4 + secret_len);
    if (rc == IR_OK)
        rc = remove_old(ks, label, old, n_old, err);
    return rc;
}

ir_rc ir_ks_aws_access_key_id(ir_keystore *ks, const char *label, char *out, size_t size,
                              ir_err *err)
{
    ir_buf id;
    ir_rc rc;

    ir_buf_init(&id, IR_KS_AKID_MAX);
    rc = ks_read_attr(ks, CKO_SECRET_KEY, label, NULL, CKA_ID, &id, err);
    if (rc == IR_OK && (id.len == 0 || id.len >= size))
        rc = ks_fail(err, IR_ERR_STATE, IR_KS_R_INVALID, CKR_OK,
                     "the AWS secret '%s' has no access key id in CKA_ID; store it again with "
                     "`iotregctl secret set-aws %s --access-key-id ID`",
                     label, label);
    if (rc == IR_OK)
        memcpy(out, id.data, id.len + 1);
    ir_buf_free(&id);
    return rc;
}

static bool valid_date(const char *date)
{
    size_t i;

    for (i = 0; i < 8; i++)
        if (date[i] < '0' || date[i] > '9')
            return false;
    return date[8] == '\0';
}

ir_rc ir_keystore_aws_kdate(ir_keystore *ks, const char *label, const char *date,
                            unsigned char out[32], ir_err *err)
{
    CK_MECHANISM mech = {CKM_SHA256_HMAC, NULL, 0};
    ir_ks_objref ref;
    size_t len = 32;
    ir_rc rc;

    if (date == NULL || !valid_date(date))
        return ks_fail(err, IR_ERR_INVALID_ARG, IR_KS_R_INVALID, CKR_OK,
                       "kDate needs a date as YYYYMMDD");
    rc = ir_ks_objref_init(&ref, CKO_SECRET_KEY, label, err);
    if (rc == IR_OK)
        rc = ir_ks_sign(ks, &ref, &mech, (const unsigned char *)date, 8, out, &len, err);
    if (rc == IR_OK && len != 32)
        rc = ks_fail(err, IR_ERR_PKCS11, IR_KS_R_PKCS11, CKR_OK,
                     "the token's HMAC-SHA256 returned %zu bytes instead of 32", len);
    return rc;
}
