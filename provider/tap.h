/* The issuance tap: because the CA's signature runs in this provider, the
 * provider sees every message a SubCA key signs. When the configuration
 * turns the tap on for that SubCA (<tap>true</tap>), what the tap
 * guarantees is: no signature by that key leaves the provider over bytes
 * that could be a TBSCertificate unless the certificate they make has been
 * journaled (appended to the journal's spool) first.
 *
 * - A message that provably is no TBSCertificate (ir_tbs_may_be_
 *   certificate in src/capture/tbs.c: a CRL, an OCSP response, a CSR, an arbitrary blob) is
 *   signed and not journaled.
 * - Anything else is rebuilt as SEQUENCE { tbs, algorithm, BIT STRING
 *   signature }, parsed with no size cap, checked against the SubCA's public
 *   key and journaled; if any of that fails (it does not parse, it is above
 *   the journal's 64 KiB cap, memory runs out, the journal refuses it) the
 *   signature is withheld with an error saying why.
 * - A signature whose message the provider cannot see is refused for a
 *   tapped key before the token signs: pre-hashed input (EVP_PKEY_sign), and
 *   a streamed message longer than the provider keeps (IR_SIG_MESSAGE_MAX)
 *   whose first bytes do not prove it is no TBSCertificate.
 * - Nothing an OpenSSL caller can set switches the tap off. iotregctl's own
 *   certificates (SubCAs, AWS verification certificates) are signed with the
 *   keystore directly, not through the provider.
 *
 * The tap does not see signatures made outside this provider (another
 * provider holding the same key, a key copied out of the token). */
#ifndef IOTREG_PROVIDER_TAP_H
#define IOTREG_PROVIDER_TAP_H

#include <stddef.h>

#include "provider/key.h"

typedef struct ir_tap ir_tap;

/* Whether key's SubCA has its tap on (cheap after the first call). */
int ir_tap_wants(ir_prov_ctx *prov, const ir_pkey *key);

/* Called once the token has signed msg, a message that may be a
 * TBSCertificate, with key; algid is the signature's AlgorithmIdentifier.
 * Returns 1 to release the signature (journaled, or key not tapped), 0 (the
 * error raised) to withhold it. */
int ir_tap_signed(ir_prov_ctx *prov, const ir_pkey *key, const unsigned char *msg, size_t msglen,
                  const unsigned char *algid, size_t algid_len, const unsigned char *sig,
                  size_t siglen);

/* Fault injection (builds with --enable-fault-injection only; always 0
 * otherwise): 1 when $IOTREG_TAP_FAULT names point ("algid", "rebuild",
 * "parse"), which then fails as if memory had run out. */
int ir_tap_fault(const char *point);

/* Frees the tap state of a provider instance (teardown). */
void ir_tap_free(ir_tap *tap);

#endif
