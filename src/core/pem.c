#include "autoconf.h"

#include "core/pem.h"

#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

char *ir_x509_to_pem(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data = NULL, *pem = NULL;
    long len;

    /* A memory BIO's data is not NUL-terminated: copy it with its length. */
    if (b != NULL && PEM_write_bio_X509(b, x) && (len = BIO_get_mem_data(b, &data)) > 0 &&
        (pem = malloc((size_t)len + 1)) != NULL) {
        memcpy(pem, data, (size_t)len);
        pem[len] = '\0';
    }
    BIO_free(b);
    return pem;
}
