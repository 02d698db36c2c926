#include "autoconf.h"

#include "core/uri_encode.h"

static bool is_unreserved(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_' || ch == '.' || ch == '~';
}

ir_rc ir_uri_encode(ir_buf *out, const char *s, size_t n, bool keep_slash, ir_err *err)
{
    static const char hex[] = "0123456789ABCDEF";
    char esc[3] = {'%', 0, 0};
    size_t i, run;
    ir_rc rc = IR_OK;

    for (i = 0; i < n && rc == IR_OK; i += run) {
        unsigned char ch = (unsigned char)s[i];

        /* A run of bytes that stay as they are goes in one append. */
        for (run = 0; i + run < n; run++) {
            unsigned char c2 = (unsigned char)s[i + run];
            if (!is_unreserved(c2) && !(keep_slash && c2 == '/'))
                break;
        }
        if (run > 0) {
            rc = ir_buf_append(out, s + i, run, err);
            continue;
        }
        esc[1] = hex[ch >> 4];
        esc[2] = hex[ch & 0x0f];
        rc = ir_buf_append(out, esc, 3, err);
        run = 1;
    }
    return rc;
}
