/* Secrets (AWS keys, session tokens, PINs) are cleansed before their memory
 * is returned, and never logged. */
#ifndef IOTREG_CORE_SECRET_H
#define IOTREG_CORE_SECRET_H

#include <stddef.h>

/* Duplicates s; NULL on allocation failure or when s is NULL. */
char *ir_secret_strdup(const char *s);
/* Cleanses and frees a NUL-terminated secret; NULL is fine. */
void ir_secret_strfree(char *s);
/* Cleanses and frees n bytes; NULL is fine. */
void ir_secret_free(void *p, size_t n);

#endif
