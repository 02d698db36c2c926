/* The issuance tap: because the CA's signature runs in this provider, the
 * provider sees every TBSCertificate a SubCA key signs. When the
 * configuration turns the tap on for that SubCA (<tap>true</tap>), the
 * issued certificate is rebuilt as SEQUENCE { tbs, algorithm, BIT STRING
 * signature }, checked against the SubCA's public key and journaled before
 * the signature leaves the provider: if the journal cannot take it, the
 * signature fails, so no certificate gets out unrecorded. CRLs, OCSP
 * responses, CSRs and anything else the key signs do not parse as a
 * certificate and are left alone. */
#ifndef IOTREG_PROVIDER_TAP_H
#define IOTREG_PROVIDER_TAP_H

#include <stddef.h>

#include "provider/key.h"

typedef struct ir_tap ir_tap;

/* Whether key's SubCA has its tap on (cheap after the first call). */
int ir_tap_wants(ir_prov_ctx *prov, const ir_pkey *key);

/* Called once the token has signed msg (NULL when it was too long to keep:
 * no certificate is) with key. Returns 1 to release the signature, 0 (the
 * error raised) to withhold it. */
int ir_tap_signed(ir_prov_ctx *prov, const ir_pkey *key, const unsigned char *msg, size_t msglen,
                  const unsigned char *algid, size_t algid_len, const unsigned char *sig,
                  size_t siglen);

/* Frees the tap state of a provider instance (teardown). */
void ir_tap_free(ir_tap *tap);

#endif
