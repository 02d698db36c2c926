/* Token objects by label and class: lookup, attributes, listing, creation,
 * deletion, certificates and data objects. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "core/secret.h"
#include "keystore/ks_internal.h"

static const char *class_name(CK_OBJECT_CLASS cls)
{
    switch (cls) {
    case CKO_PRIVATE_KEY:
        return "private key";
    case CKO_PUBLIC_KEY:
        return "public key";
    case CKO_CERTIFICATE:
        return "certificate";
    case CKO_DATA:
        return "data object";
    case CKO_SECRET_KEY:
        return "secret key";
    default:
        return "object";
    }
}

ir_rc ir_ks_check_name(const char *name, ir_err *err)
{
    size_t i, n = name != NULL ? strlen(name) : 0;

    if (n == 0 || n > IR_KS_LABEL_MAX)
        goto bad;
    for (i = 0; i < n; i++)
        if (!(name[i] == '-' || name[i] == '_' || (name[i] >= '0' && name[i] <= '9') ||
              (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z')))
            goto bad;
    return IR_OK;
bad:
    return ks_fail(err, IR_ERR_INVALID_ARG, IR_KS_R_INVALID, CKR_ARGUMENTS_BAD,
                   "'%s' is not a valid name: use 1 to %d letters, digits, '-' or '_'",
                   name != NULL ? name : "", IR_KS_LABEL_MAX);
}

static ir_rc find_all(ir_keystore *ks, CK_SESSION_HANDLE s, CK_ATTRIBUTE *tmpl, CK_ULONG n_tmpl,
                      CK_OBJECT_HANDLE *found, CK_ULONG *n_found, ir_err *err)
{
    CK_RV rv = ks->p11->C_FindObjectsInit(s, tmpl, n_tmpl);

    if (rv != CKR_OK)
        return ks_fail_rv(err, rv, "C_FindObjectsInit");
    rv = ks->p11->C_FindObjects(s, found, KS_FIND_MAX, n_found);
    ks->p11->C_FindObjectsFinal(s);
    if (rv != CKR_OK)
        return ks_fail_rv(err, rv, "C_FindObjects");
    return IR_OK;
}

ir_rc ir_ks_find(ir_keystore *ks, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const char *label,
                 const char *application, CK_OBJECT_HANDLE *out, ir_err *err)
{
    CK_OBJECT_HANDLE found[KS_FIND_MAX];
    CK_ULONG n = 0;
    CK_ATTRIBUTE tmpl[] = {
        KS_ATTR(CKA_CLASS, &cls, sizeof(cls)),
        KS_ATTR(CKA_LABEL, label, strlen(label)),
        KS_ATTR(CKA_APPLICATION, application, application ? strlen(application) : 0),
    };
    ir_rc rc = find_all(ks, s, tmpl, application != NULL ? 3 : 2, found, &n, err);

    if (rc != IR_OK)
        return rc;
    if (n == 0)
        return ks_fail(err, IR_ERR_NOT_FOUND, IR_KS_R_OBJECT_NOT_FOUND, CKR_OK,
                       "no %s labelled '%s' in token '%s' (see `iotregctl subca list`)",
                       class_name(cls), label, ks->token_label);
    if (n > 1)
        return ks_fail(err, IR_ERR_STATE, IR_KS_R_OBJECT_AMBIGUOUS, CKR_OK,
                       "%lu objects of class %s are labelled '%s' in token '%s'; remove the "
                       "extra ones",
                       n, class_name(cls), label, ks->token_label);
    *out = found[0];
    return IR_OK;
}

ir_rc ir_ks_exists(ir_keystore *ks, CK_OBJECT_CLASS cls, const char *label, bool *out, ir_err *err)
{
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE h;
    ir_rc rc = ir_ks_session_get(ks, &s, err);

    if (rc != IR_OK)
        return rc;
    rc = ir_ks_find(ks, s, cls, label, NULL, &h, err);
    ir_ks_session_put(ks, s, false);
    *out = rc == IR_OK || rc == IR_ERR_STATE;
    if (rc == IR_ERR_NOT_FOUND || rc == IR_ERR_STATE)
        rc = IR_OK;
    return rc;
}

ir_rc ir_ks_objref_init(ir_ks_objref *ref, CK_OBJECT_CLASS cls, const char *label, ir_err *err)
{
    memset(ref, 0, sizeof(*ref));
    if (label == NULL || label[0] == '\0' || strlen(label) > IR_KS_LABEL_MAX)
        return ks_fail(err, IR_ERR_INVALID_ARG, IR_KS_R_INVALID, CKR_ARGUMENTS_BAD,
                       "object label must have 1 to %d characters", IR_KS_LABEL_MAX);
    ref->cls = cls;
    memcpy(ref->label, label, strlen(label) + 1);
    return IR_OK;
}

ir_rc ks_objref_resolve_with(ir_keystore *ks, CK_SESSION_HANDLE s, ir_ks_objref *ref,
                             CK_OBJECT_HANDLE *out, ir_err *err)
{
    CK_OBJECT_HANDLE h;
    ir_rc rc;

    pthread_mutex_lock(&ks->lock);
    if (ref->generation != 0 && ref->generation == ks->generation) {
        *out = ref->handle;
        pthread_mutex_unlock(&ks->lock);
        return IR_OK;
    }
    pthread_mutex_unlock(&ks->lock);
    rc = ir_ks_find(ks, s, ref->cls, ref->label, NULL, &h, err);
    if (rc != IR_OK)
        return rc;
    pthread_mutex_lock(&ks->lock);
    ref->handle = h;
    ref->generation = ks->generation;
    pthread_mutex_unlock(&ks->lock);
    *out = h;
    return IR_OK;
}

ir_rc ir_ks_objref_resolve(ir_keystore *ks, ir_ks_objref *ref, CK_OBJECT_HANDLE *out, ir_err *err)
{
    CK_SESSION_HANDLE s;
    ir_rc rc = ir_ks_session_get(ks, &s, err);

    if (rc != IR_OK)
        return rc;
    rc = ks_objref_resolve_with(ks, s, ref, out, err);
    ir_ks_session_put(ks, s, false);
    return rc;
}

ir_rc ir_ks_get_attr(ir_keystore *ks, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h,
                     CK_ATTRIBUTE_TYPE type, ir_buf *out, ir_err *err)
{
    CK_ATTRIBUTE a = KS_ATTR(type, NULL, 0);
    CK_RV rv = ks->p11->C_GetAttributeValue(s, h, &a, 1);
    ir_rc rc;

    if (rv != CKR_OK)
        return ks_fail_rv(err, rv, "C_GetAttributeValue");
    if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen > KS_ATTR_MAX)
        return ks_fail(err, IR_ERR_TOO_LARGE, IR_KS_R_PKCS11, CKR_OK,
                       "attribute 0x%lx of a token object is unavailable or too large", type);
    ir_buf_reset(out);
    rc = IR_OK;
    if (a.ulValueLen > 0) {
        unsigned char *tmp = calloc(1, a.ulValueLen);
        if (tmp == NULL)
            return ks_fail(err, IR_ERR_NOMEM, IR_KS_R_PKCS11, CKR_HOST_MEMORY, "out of memory");
        a.pValue = tmp;
        rv = ks->p11->C_GetAttributeValue(s, h, &a, 1);
        if (rv == CKR_OK)
            rc = ir_buf_append(out, tmp, a.ulValueLen, err);
        else
            rc = ks_fail_rv(err, rv, "C_GetAttributeValue");
        ir_secret_free(tmp, a.ulValueLen);
    }
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void ir_ks_labels_free(char **labels, size_t n)
{
    size_t i;

    if (labels == NULL)
        return;
    for (i = 0; i < n; i++)
        free(labels[i]);
    free(labels);
}

static ir_rc collect_labels(ir_keystore *ks, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE *found,
                            CK_ULONG n, char **labels, size_t *count, ir_err *err)
{
    ir_buf b;
    CK_ULONG i;
    ir_rc rc = IR_OK;

    ir_buf_init(&b, IR_KS_LABEL_MAX * 4);
    for (i = 0; i < n && rc == IR_OK; i++) {
        rc = ir_ks_get_attr(ks, s, found[i], CKA_LABEL, &b, err);
        if (rc != IR_OK)
            break;
        labels[*count] = strdup(ir_buf_cstr(&b));
        if (labels[*count] == NULL)
            rc = ks_fail(err, IR_ERR_NOMEM, IR_KS_R_PKCS11, CKR_HOST_MEMORY, "out of memory");
        else if (*count == 0 || strcmp(labels[*count - 1], labels[*count]) != 0)
            (*count)++;
        else
            free(labels[*count]);
    }
    ir_buf_free(&b);
    return rc;
}

/* Up to 1024 objects of a class: enough for the SubCAs of a CA. */
ir_rc ir_ks_list_labels(ir_keystore *ks, CK_OBJECT_CLASS cls, char ***labels, size_t *n,
                        ir_err *err)
{
    enum { LIST_MAX = 1024 };
    CK_OBJECT_HANDLE *found = calloc(LIST_MAX, sizeof(*found));
    CK_ATTRIBUTE tmpl[] = {KS_ATTR(CKA_CLASS, &cls, sizeof(cls))};
    CK_ULONG got = 0;
    CK_SESSION_HANDLE s;
    CK_RV rv;
    ir_rc rc;

    *labels = calloc(LIST_MAX + 1, sizeof(char *));
    *n = 0;
    if (found == NULL || *labels == NULL) {
        free(found);
        return ks_fail(err, IR_ERR_NOMEM, IR_KS_R_PKCS11, CKR_HOST_MEMORY, "out of memory");
    }
    rc = ir_ks_session_get(ks, &s, err);
    if (rc != IR_OK)
        goto out;
    rv = ks->p11->C_FindObjectsInit(s, tmpl, 1);
    if (rv == CKR_OK) {
        rv = ks->p11->C_FindObjects(s, found, LIST_MAX, &got);
        ks->p11->C_FindObjectsFinal(s);
    }
    rc = rv == CKR_OK ? collect_labels(ks, s, found, got, *labels, n, err)
                      : ks_fail_rv(err, rv, "C_FindObjects");
    ir_ks_session_put(ks, s, false);
    qsort(*labels, *n, sizeof(char *), cmp_str);
out:
    free(found);
    return rc;
}

ir_rc ir_ks_destroy(ir_keystore *ks, CK_OBJECT_CLASS cls, const char *label, size_t *n, ir_err *err)
{
    CK_OBJECT_HANDLE found[KS_FIND_MAX];
    CK_ATTRIBUTE tmpl[] = {KS_ATTR(CKA_CLASS, &cls, sizeof(cls)),
                           KS_ATTR(CKA_LABEL, label, strlen(label))};
    CK_ULONG got = 0, i;
    CK_SESSION_HANDLE s;
    CK_RV rv;
    ir_rc rc = ir_ks_session_get(ks, &s, err);

    if (n != NULL)
        *n = 0;
    if (rc != IR_OK)
        return rc;
    rc = find_all(ks, s, tmpl, 2, found, &got, err);
    for (i = 0; rc == IR_OK && i < got; i++) {
        rv = ks->p11->C_DestroyObject(s, found[i]);
        if (rv != CKR_OK)
            rc = ks_fail_rv(err, rv, "C_DestroyObject");
        else if (n != NULL)
            (*n)++;
    }
    ir_ks_session_put(ks, s, false);
    return rc;
}

ir_rc ks_create_object(ir_keystore *ks, CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *out,
                       ir_err *err)
{
    CK_OBJECT_HANDLE h;
    CK_SESSION_HANDLE s;
    CK_RV rv;
    ir_rc rc = ir_ks_session_get(ks, &s, err);

    if (rc != IR_OK)
        return rc;
    rv = ks->p11->C_CreateObject(s, tmpl, n, &h);
    ir_ks_session_put(ks, s, false);
    if (rv != CKR_OK)
        return ks_fail_rv(err, rv, "C_CreateObject");
    if (out != NULL)
        *out = h;
    return IR_OK;
}

/* Creates the object, then removes older ones of the same class and label:
 * a failed creation leaves the old object in place. */
static ir_rc replace_object(ir_keystore *ks, CK_OBJECT_CLASS cls, const char *label,
                            CK_ATTRIBUTE *tmpl, CK_ULONG n, ir_err *err)
{
    CK_OBJECT_HANDLE old[KS_FIND_MAX], h;
    CK_ATTRIBUTE find[] = {KS_ATTR(CKA_CLASS, &cls, sizeof(cls)),
                           KS_ATTR(CKA_LABEL, label, strlen(label))};
    CK_ULONG n_old = 0, i;
    CK_SESSION_HANDLE s;
    CK_RV rv;
    ir_rc rc = ir_ks_session_get(ks, &s, err);

    if (rc != IR_OK)
        return rc;
    rc = find_all(ks, s, find, 2, old, &n_old, err);
    if (rc == IR_OK) {
        rv = ks->p11->C_CreateObject(s, tmpl, n, &h);
        if (rv != CKR_OK)
            rc = ks_fail_rv(err, rv, "C_CreateObject");
    }
    for (i = 0; rc == IR_OK && i < n_old; i++) {
        rv = ks->p11->C_DestroyObject(s, old[i]);
        if (rv != CKR_OK)
            rc = ks_fail_rv(err, rv, "C_DestroyObject (the replaced object)");
    }
    ir_ks_session_put(ks, s, false);
    return rc;
}

ir_rc ks_read_attr(ir_keystore *ks, CK_OBJECT_CLASS cls, const char *label, const char *application,
                   CK_ATTRIBUTE_TYPE type, ir_buf *out, ir_err *err)
{
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE h;
    ir_rc rc = ir_ks_session_get(ks, &s, err);

    if (rc != IR_OK)
        return rc;
    rc = ir_ks_find(ks, s, cls, label, application, &h, err);
    if (rc == IR_OK)
        rc = ir_ks_get_attr(ks, s, h, type, out, err);
    ir_ks_session_put(ks, s, false);
    return rc;
}

ir_rc ir_ks_read_cert(ir_keystore *ks, const char *label, ir_buf *der, ir_err *err)
{
    return ks_read_attr(ks, CKO_CERTIFICATE, label, NULL, CKA_VALUE, der, err);
}

ir_rc ir_ks_read_data(ir_keystore *ks, const char *label, const char *application, ir_buf *out,
                      ir_err *err)
{
    return ks_read_attr(ks, CKO_DATA, label, application, CKA_VALUE, out, err);
}

/* The DER of a certificate's subject, issuer and serial, for CKA_SUBJECT etc. */
typedef struct cert_names {
    unsigned char *subject, *issuer, *serial;
    int subject_len, issuer_len, serial_len;
} cert_names;

static void cert_names_free(cert_names *c)
{
    OPENSSL_free(c->subject);
    OPENSSL_free(c->issuer);
    OPENSSL_free(c->serial);
}

static ir_rc cert_names_get(const unsigned char *der, size_t len, cert_names *c, ir_err *err)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);

    memset(c, 0, sizeof(*c));
    if (x == NULL || p != der + len)
        goto bad;
    c->subject_len = i2d_X509_NAME(X509_get_subject_name(x), &c->subject);
    c->issuer_len = i2d_X509_NAME(X509_get_issuer_name(x), &c->issuer);
    c->serial_len = i2d_ASN1_INTEGER(X509_get_serialNumber(x), &c->serial);
    X509_free(x);
    if (c->subject_len <= 0 || c->issuer_len <= 0 || c->serial_len <= 0) {
        cert_names_free(c);
        goto bad;
    }
    return IR_OK;
bad:
    X509_free(x);
    return ks_fail(err, IR_ERR_PARSE, IR_KS_R_INVALID, CKR_OK,
                   "the certificate to store is not valid DER");
}

ir_rc ir_ks_store_cert(ir_keystore *ks, const char *label, const unsigned char *der, size_t len,
                       bool private_obj, ir_err *err)
{
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_CERTIFICATE_TYPE ctype = CKC_X_509;
    CK_BBOOL yes = CK_TRUE, priv = private_obj ? CK_TRUE : CK_FALSE;
    cert_names c;
    ir_rc rc = cert_names_get(der, len, &c, err);

    if (rc != IR_OK)
        return rc;
    CK_ATTRIBUTE tmpl[] = {
        KS_ATTR(CKA_CLASS, &cls, sizeof(cls)),
        KS_ATTR(CKA_CERTIFICATE_TYPE, &ctype, sizeof(ctype)),
        KS_ATTR(CKA_TOKEN, &yes, sizeof(yes)),
        KS_ATTR(CKA_PRIVATE, &priv, sizeof(priv)),
        KS_ATTR(CKA_LABEL, label, strlen(label)),
        KS_ATTR(CKA_SUBJECT, c.subject, c.subject_len),
        KS_ATTR(CKA_ISSUER, c.issuer, c.issuer_len),
        KS_ATTR(CKA_SERIAL_NUMBER, c.serial, c.serial_len),
        KS_ATTR(CKA_VALUE, der, len),
    };
    rc = replace_object(ks, CKO_CERTIFICATE, label, tmpl, sizeof(tmpl) / sizeof(tmpl[0]), err);
    cert_names_free(&c);
    return rc;
}

ir_rc ir_ks_store_data(ir_keystore *ks, const char *label, const char *application,
                       const void *data, size_t len, ir_err *err)
{
    CK_OBJECT_CLASS cls = CKO_DATA;
    CK_BBOOL yes = CK_TRUE;
    CK_ATTRIBUTE tmpl[] = {
        KS_ATTR(CKA_CLASS, &cls, sizeof(cls)),
        KS_ATTR(CKA_TOKEN, &yes, sizeof(yes)),
        KS_ATTR(CKA_PRIVATE, &yes, sizeof(yes)),
        KS_ATTR(CKA_LABEL, label, strlen(label)),
        KS_ATTR(CKA_APPLICATION, application, strlen(application)),
        KS_ATTR(CKA_VALUE, data, len),
    };
    return replace_object(ks, CKO_DATA, label, tmpl, sizeof(tmpl) / sizeof(tmpl[0]), err);
}
