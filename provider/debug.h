/* Debug output of the provider, on when IOTREG_DEBUG is set to a non-empty
 * value other than 0. Never given PINs, signatures or key material. */
#ifndef IOTREG_PROVIDER_DEBUG_H
#define IOTREG_PROVIDER_DEBUG_H

int ir_prov_debug_enabled(void);
void ir_prov_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
