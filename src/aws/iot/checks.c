/* Client-side checks of the values AWS IoT's model constrains (certificate
 * ids, account ids, text lengths, names that become path labels), so that a
 * bad value is reported before it costs a request. */
#include "autoconf.h"

#include <string.h>

#include "aws/iot/iot_internal.h"

static bool all_chars_in(const char *s, const char *set)
{
    return s[strspn(s, set)] == '\0';
}

/* Number of Unicode characters in UTF-8 text (AWS's length unit). */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

ir_rc ir_iot_check_cert_id(const char *op, const char *id, ir_err *err)
{
    if (id == NULL || strlen(id) != 64 || !all_chars_in(id, "0123456789abcdefABCDEF"))
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "%s: the certificate id must be 64 hex digits (SHA-256 of the DER)", op);
    return IR_OK;
}

ir_rc ir_iot_check_account_id(const char *op, const char *account, ir_err *err)
{
    if (account == NULL || strlen(account) != 12 || !all_chars_in(account, "0123456789"))
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: an AWS account id is 12 digits, not '%s'",
                          op, account ? account : "(none)");
    return IR_OK;
}

ir_rc ir_iot_check_text(const char *op, const char *what, const char *s, size_t min_chars,
                        size_t max_chars, ir_err *err)
{
    size_t n = s != NULL ? utf8_chars(s) : 0;

    if (s == NULL && min_chars > 0)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: %s is required", op, what);
    if (n < min_chars || n > max_chars)
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "%s: %s has %zu characters, AWS accepts %zu to %zu", op, what, n,
                          min_chars, max_chars);
    return IR_OK;
}

ir_rc ir_iot_check_name(const char *op, const char *what, const char *name, size_t max,
                        const char *extra, ir_err *err)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    size_t n = name != NULL ? strlen(name) : 0;

    if (n == 0 || n > max)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: %s must have 1 to %zu characters", op, what,
                          max);
    for (; *name != '\0'; name++)
        if (strchr(alnum, *name) == NULL && strchr(extra, *name) == NULL)
            return ir_err_set(err, IR_ERR_INVALID_ARG,
                              "%s: %s may hold only letters, digits and '%s'", op, what, extra);
    return IR_OK;
}
