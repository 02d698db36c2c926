/* Thing name templates over certificate fields: a template from the
 * configuration expanded with whatever a CA put in a certificate's subject,
 * serial and subjectAltNames. Input: the template, a NUL byte, the
 * certificate's DER (no NUL: all template, no certificate). */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "capture/thing_name.h"
#include "config/template.h"
#include "fuzz.h"

/* AWS's thing names: [a-zA-Z0-9:_-]+, at most IR_THING_NAME_MAX. */
static int is_thing_name(const char *s)
{
    size_t n = strlen(s);

    return n >= 1 && n <= IR_THING_NAME_MAX &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-") == n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t tlen = nul != NULL ? (size_t)(nul - data) : size;
    const uint8_t *der = nul != NULL ? nul + 1 : data + size;
    size_t der_len = size - tlen - (nul != NULL);
    char out[IR_THING_NAME_MAX + 1];
    char *tmpl = malloc(tlen + 1);
    ir_rc checked;

    if (tmpl == NULL)
        return 0;
    memcpy(tmpl, data, tlen);
    tmpl[tlen] = '\0';
    checked = ir_template_check(tmpl, NULL);
    if (ir_template_expand_der(tmpl, der, der_len, "acme", out, NULL) == IR_OK) {
        /* Only a template the configuration check accepts expands, and
         * always to a name AWS takes. */
        FUZZ_CHECK(checked == IR_OK);
        FUZZ_CHECK(is_thing_name(out));
    }
    free(tmpl);
    return 0;
}
