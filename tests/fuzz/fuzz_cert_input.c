/* Certificate input as a CA hands it over (iotreg-publish, the hook,
 * iotregctl import): DER, PEM, PEM bundles with text around them. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "capture/cert_input.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ir_der_list list;
    ir_der one;
    ir_rc rc, rc_one;
    size_t i;

    rc = ir_cert_input_parse(data, size, &list, NULL);
    if (rc == IR_OK) {
        /* Every certificate kept is one complete certificate on its own. */
        FUZZ_CHECK(list.n >= 1);
        for (i = 0; i < list.n; i++)
            FUZZ_CHECK(ir_cert_check_der(list.items[i].data, list.items[i].len, NULL, NULL) ==
                       IR_OK);
    } else {
        FUZZ_CHECK(list.n == 0 && list.items == NULL);
    }
    rc_one = ir_cert_input_one(data, size, &one, NULL);
    /* "Exactly one" agrees with the list. */
    FUZZ_CHECK((rc_one == IR_OK) == (rc == IR_OK && list.n == 1));
    if (rc_one == IR_OK)
        FUZZ_CHECK(one.len == list.items[0].len &&
                   memcmp(one.data, list.items[0].data, one.len) == 0);
    ir_der_free(&one);
    ir_der_list_free(&list);
    return 0;
}
