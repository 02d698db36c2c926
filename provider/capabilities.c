/* The provider's TLS groups.
 *
 * libssl offers a TLS group only when the key management that its fetch
 * finds for the group's algorithm belongs to the provider that declared the
 * group. With iotreg loaded before the default provider, that fetch finds
 * our EC keymgmt, and the NIST curves the default provider declares would
 * vanish from TLS (TLS 1.2 with an EC certificate then has no shared
 * cipher). So the provider declares the same curves: whichever keymgmt
 * wins the fetch, its provider has them. Our ephemeral keys are libcrypto's
 * (keymgmt_soft.c). */
#include "autoconf.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/prov_ssl.h>

#include "provider/provider.h"

typedef struct tls_group {
    const char *name;
    const char *internal;
    unsigned int id; /* IANA TLS Supported Groups registry */
    unsigned int secbits;
} tls_group;

static const tls_group ec_groups[] = {
    {"secp256r1", "prime256v1", 23, 128},
    {"secp384r1", "secp384r1", 24, 192},
    {"secp521r1", "secp521r1", 25, 256},
    /* The names libssl also takes for them (-groups P-256). */
    {"P-256", "prime256v1", 23, 128},
    {"P-384", "secp384r1", 24, 192},
    {"P-521", "secp521r1", 25, 256},
};

static int declare_group(const tls_group *g, OSSL_CALLBACK *cb, void *arg)
{
    unsigned int id = g->id, secbits = g->secbits, is_kem = 0;
    int min_tls = TLS1_VERSION, max_tls = 0, min_dtls = DTLS1_VERSION, max_dtls = 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_CAPABILITY_TLS_GROUP_NAME, (char *)g->name, strlen(g->name)),
        OSSL_PARAM_utf8_string(OSSL_CAPABILITY_TLS_GROUP_NAME_INTERNAL, (char *)g->internal,
                               strlen(g->internal)),
        OSSL_PARAM_utf8_string(OSSL_CAPABILITY_TLS_GROUP_ALG, "EC", 2),
        OSSL_PARAM_uint(OSSL_CAPABILITY_TLS_GROUP_ID, &id),
        OSSL_PARAM_uint(OSSL_CAPABILITY_TLS_GROUP_SECURITY_BITS, &secbits),
        OSSL_PARAM_uint(OSSL_CAPABILITY_TLS_GROUP_IS_KEM, &is_kem),
        OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MIN_TLS, &min_tls),
        OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MAX_TLS, &max_tls),
        OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MIN_DTLS, &min_dtls),
        OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MAX_DTLS, &max_dtls),
        OSSL_PARAM_END,
    };

    return cb(params, arg);
}

int ir_prov_get_capabilities(void *provctx, const char *capability, OSSL_CALLBACK *cb, void *arg)
{
    size_t i;

    if (strcmp(capability, "TLS-GROUP") != 0)
        return 0;
    for (i = 0; i < sizeof(ec_groups) / sizeof(ec_groups[0]); i++)
        if (!declare_group(&ec_groups[i], cb, arg))
            return 0;
    return 1;
}
