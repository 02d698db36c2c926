/* The hook's return codes: names, messages into the host's buffer, and the
 * mapping from libiotreg's results. */
#include "autoconf.h"

#include <stdio.h>

#include "hook_internal.h"

const char *iotreg_hook_strerror(int rc)
{
    switch (rc) {
    case IOTREG_HOOK_OK:
        return "ok";
    case IOTREG_HOOK_ALREADY_KNOWN:
        return "already known";
    case IOTREG_HOOK_EINVAL:
        return "invalid argument";
    case IOTREG_HOOK_ECONFIG:
        return "configuration error";
    case IOTREG_HOOK_EJOURNAL:
        return "journal unavailable";
    case IOTREG_HOOK_ENOTCERT:
        return "not a certificate";
    case IOTREG_HOOK_EUNKNOWN_ISSUER:
        return "unknown issuer";
    case IOTREG_HOOK_EBADSIG:
        return "bad signature";
    case IOTREG_HOOK_ENOTFOUND:
        return "not found";
    case IOTREG_HOOK_ENOMEM:
        return "out of memory";
    case IOTREG_HOOK_EINTERNAL:
        return "internal error";
    }
    return "unknown return code";
}

int hook_fail(int code, const char *msg, char *errbuf, size_t errlen)
{
    if (errbuf != NULL && errlen > 0)
        snprintf(errbuf, errlen, "%s", msg != NULL && msg[0] ? msg : iotreg_hook_strerror(code));
    return code;
}

int hook_ok(int code, char *errbuf, size_t errlen)
{
    if (errbuf != NULL && errlen > 0)
        errbuf[0] = '\0';
    return code;
}

int hook_code_for_rc(ir_rc rc, int fallback)
{
    switch (rc) {
    case IR_OK:
        return IOTREG_HOOK_OK;
    case IR_ERR_NOMEM:
        return IOTREG_HOOK_ENOMEM;
    case IR_ERR_INVALID_ARG:
        return IOTREG_HOOK_EINVAL;
    case IR_ERR_NOT_FOUND:
        return IOTREG_HOOK_ENOTFOUND;
    case IR_ERR_INTERNAL:
        return IOTREG_HOOK_EINTERNAL;
    default:
        return fallback;
    }
}

int hook_code_for_config(ir_rc rc)
{
    return rc == IR_ERR_NOMEM ? IOTREG_HOOK_ENOMEM : IOTREG_HOOK_ECONFIG;
}

int hook_code_for_capture(ir_capture_failure f, ir_rc rc)
{
    switch (f) {
    case IR_CAPTURE_OK:
        return IOTREG_HOOK_OK;
    case IR_CAPTURE_NOT_CERT:
        return rc == IR_ERR_NOMEM ? IOTREG_HOOK_ENOMEM : IOTREG_HOOK_ENOTCERT;
    case IR_CAPTURE_UNKNOWN_ISSUER:
        return IOTREG_HOOK_EUNKNOWN_ISSUER;
    case IR_CAPTURE_BAD_SIGNATURE:
        return IOTREG_HOOK_EBADSIG;
    case IR_CAPTURE_INVALID:
        return IOTREG_HOOK_EINVAL;
    case IR_CAPTURE_JOURNAL:
        return rc == IR_ERR_NOMEM ? IOTREG_HOOK_ENOMEM : IOTREG_HOOK_EJOURNAL;
    case IR_CAPTURE_INTERNAL:
        return rc == IR_ERR_NOMEM ? IOTREG_HOOK_ENOMEM : IOTREG_HOOK_EINTERNAL;
    }
    return IOTREG_HOOK_EINTERNAL;
}
