/* Thing name templates over certificate fields: a template from the
 * configuration expanded with whatever a CA put in a certificate's subject,
 * serial and subjectAltNames, through the expansion the daemon uses once
 * the certificate is parsed (the parse itself is fuzz_cert_input's). Input:
 * a byte saying which fields are present (bit 0 CN, 1 O, 2 OU, 3 serial,
 * 4 the DNS SAN, 5 a second CN), then NUL-separated parts: the template,
 * CN, O, OU, serial, DNS SAN, second CN. A field whose bit is clear or
 * whose part is missing is absent; ${certid} is the SHA-256 of the input,
 * ${customer} "acme". */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "capture/thing_name.h"
#include "config/template.h"
#include "core/util.h"
#include "fuzz.h"

enum { CN, O, OU, SERIAL, SAN_DNS, CN2, N_FIELDS };

/* AWS's thing names: [a-zA-Z0-9:_-]+, at most IR_THING_NAME_MAX. */
static int is_thing_name(const char *s)
{
    size_t n = strlen(s);

    return n >= 1 && n <= IR_THING_NAME_MAX &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-") == n;
}

/* The input after the mask byte, copied with a NUL after it, cut at its
 * NULs into the template and the fields. */
static char *split(const uint8_t *data, size_t size, uint8_t mask, const char **tmpl,
                   const char *field[N_FIELDS])
{
    char *text = malloc(size + 1);
    char *p, *end;
    int i;

    if (text == NULL)
        return NULL;
    memcpy(text, data, size);
    text[size] = '\0';
    end = text + size;
    *tmpl = text;
    p = text + strlen(text);
    for (i = 0; i < N_FIELDS; i++) {
        field[i] = NULL;
        if (p >= end)
            continue;
        p++;
        if (mask & (1u << i))
            field[i] = p;
        p += strlen(p);
    }
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t mask = fuzz_take_byte(&data, &size);
    char certid[IR_SHA256_HEX_LEN + 1];
    char out[IR_THING_NAME_MAX + 1], other[IR_THING_NAME_MAX + 1];
    const char *tmpl, *field[N_FIELDS];
    char *text = split(data, size, mask, &tmpl, field);
    ir_thing_fields f;
    ir_rc checked;

    if (text == NULL || ir_sha256_hex(data, size, certid, NULL) != IR_OK) {
        free(text);
        return 0;
    }
    f = (ir_thing_fields){.subject_cn = field[CN],
                          .subject_o = field[O],
                          .subject_ou = field[OU],
                          .serial = field[SERIAL],
                          .certid = certid,
                          .san_dns = field[SAN_DNS],
                          .customer = "acme"};
    checked = ir_template_check(tmpl, NULL);
    if (ir_template_expand_fields(tmpl, &f, out, NULL) == IR_OK) {
        /* Only a template the configuration check accepts expands, and
         * always to a name AWS takes. */
        FUZZ_CHECK(checked == IR_OK);
        FUZZ_CHECK(is_thing_name(out));
        /* Two certificates that differ in the CN the template uses get two
         * names: the escape is injective. */
        f.subject_cn = field[CN2];
        if (field[CN] != NULL && field[CN2] != NULL && strcmp(field[CN], field[CN2]) != 0 &&
            strstr(tmpl, "${subject.CN}") != NULL &&
            ir_template_expand_fields(tmpl, &f, other, NULL) == IR_OK)
            FUZZ_CHECK(strcmp(out, other) != 0);
    }
    free(text);
    return 0;
}
