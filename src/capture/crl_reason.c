/* RFC 5280 CRLReason names. */
#include "autoconf.h"

#include "capture/crl_reason.h"

#include <ctype.h>
#include <string.h>

#include "journal/journal.h"

static const char *const names[] = {
    "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
    "superseded",    "cessationOfOperation", "certificateHold", NULL,
    "removeFromCRL", "privilegeWithdrawn",   "aACompromise",
};

#define N_NAMES ((int)(sizeof(names) / sizeof(names[0])))

#define REASON_CERTIFICATE_HOLD 6
#define REASON_REMOVE_FROM_CRL  8

bool ir_crl_reason_revokes(int reason)
{
    return reason != REASON_CERTIFICATE_HOLD && reason != REASON_REMOVE_FROM_CRL;
}

const char *ir_crl_reason_name(int reason)
{
    return reason >= 0 && reason < N_NAMES && names[reason] != NULL ? names[reason] : "unknown";
}

/* Compares ignoring case, hyphens and underscores. */
static bool same_name(const char *given, const char *name)
{
    for (; *given != '\0'; given++) {
        if (*given == '-' || *given == '_')
            continue;
        if (tolower((unsigned char)*given) != tolower((unsigned char)*name))
            return false;
        name++;
    }
    return *name == '\0';
}

/* Decimal digits only, at most two of them (no sign, no blanks, no
 * overflow): the code, or -1. */
static int reason_number(const char *s)
{
    size_t n = strspn(s, "0123456789");

    if (n == 0 || n > 2 || s[n] != '\0')
        return -1;
    return n == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
}

ir_rc ir_crl_reason_parse(const char *s, int *out, ir_err *err)
{
    int i;

    if (s != NULL && (i = reason_number(s)) >= 0 && ir_revocation_reason_valid(i)) {
        *out = i;
        return IR_OK;
    }
    for (i = 0; s != NULL && s[0] != '\0' && i < N_NAMES; i++)
        if (names[i] != NULL && same_name(s, names[i])) {
            *out = i;
            return IR_OK;
        }
    return ir_err_set(err, IR_ERR_INVALID_ARG,
                      "'%.64s' is no revocation reason: give 0-6 or 8-10, or a name such as "
                      "keyCompromise, superseded, cessationOfOperation",
                      s != NULL ? s : "");
}
