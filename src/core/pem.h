/* PEM text of a certificate, for AWS requests that carry certificates. */
#ifndef IOTREG_CORE_PEM_H
#define IOTREG_CORE_PEM_H

#include <openssl/x509.h>

/* x as PEM, NUL-terminated heap memory for free(); NULL on failure. */
char *ir_x509_to_pem(X509 *x);

#endif
