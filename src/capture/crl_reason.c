/* RFC 5280 CRLReason names. */
#include "config.h"

#include "capture/crl_reason.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "journal/journal.h"

static const char *const names[] = {
    "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
    "superseded",    "cessationOfOperation", "certificateHold", NULL,
    "removeFromCRL", "privilegeWithdrawn",   "aACompromise",
};

#define N_NAMES ((int)(sizeof(names) / sizeof(names[0])))

const char *ir_crl_reason_name(int reason)
{
    return reason >= 0 && reason < N_NAMES && names[reason] != NULL ? names[reason] : "unknown";
}

/* Compares ignoring case and hyphens. */
static int same_name(const char *given, const char *name)
{
    for (; *given != '\0'; given++) {
        if (*given == '-' || *given == '_')
            continue;
        if (tolower((unsigned char)*given) != tolower((unsigned char)*name))
            return 0;
        name++;
    }
    return *name == '\0';
}

ir_rc ir_crl_reason_parse(const char *s, int *out, ir_err *err)
{
    char *end = NULL;
    long n;
    int i;

    if (s != NULL && isdigit((unsigned char)s[0])) {
        n = strtol(s, &end, 10);
        if (*end == '\0' && ir_revocation_reason_valid((int)n) && n <= 10) {
            *out = (int)n;
            return IR_OK;
        }
    }
    for (i = 0; s != NULL && i < N_NAMES; i++)
        if (names[i] != NULL && same_name(s, names[i])) {
            *out = i;
            return IR_OK;
        }
    return ir_err_set(err, IR_ERR_INVALID_ARG,
                      "'%s' is no revocation reason: give 0-6 or 8-10, or a name such as "
                      "keyCompromise, superseded, cessationOfOperation",
                      s != NULL ? s : "");
}
