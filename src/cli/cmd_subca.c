/* iotregctl subca commands: SubCA keys and certificates in the token. */
#include "autoconf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/store.h>
#include <openssl/ui.h>

#include "app/runtime.h"
#include "app/subca_register.h"
#include "cli/cli.h"
#include "cli/cli_keystore_login.h"
#include "keystore/keystore.h"
#include "keystore/subca.h"

/* --- subca create ------------------------------------------------------------ */

static const char create_help[] =
    "usage: iotregctl subca create NAME --key ec:P-256|ec:P-384|rsa:2048|rsa:3072|rsa:4096\n"
    "           --subject DN (--self-signed | --issuer-key URI --issuer-cert FILE)\n"
    "           [--days N] [--out FILE]\n\n"
    "Generates the SubCA's key pair inside the token (sensitive, not extractable),\n"
    "builds its CA certificate (basicConstraints CA:TRUE and keyUsage keyCertSign,\n"
    "cRLSign, both critical; subject and authority key identifiers) and has it\n"
    "signed by the token through the iotreg OpenSSL provider: by the new key itself\n"
    "with --self-signed, else by the key an iotreg: URI names (--issuer-key) whose\n"
    "certificate is --issuer-cert (PEM). The certificate is stored in the token\n"
    "under NAME and written as PEM to standard output or --out FILE.\n\n"
    "  --key SPEC          key type and size\n"
    "  --subject DN        \"/CN=Devices EU/O=Example\" or \"CN=Devices EU,O=Example\"\n"
    "  --self-signed       a root: the new key signs its own certificate\n"
    "  --issuer-key URI    e.g. iotreg:object=root;type=private\n"
    "  --issuer-cert FILE  the issuer's certificate (PEM)\n"
    "  --days N            validity in days (default 3650)\n"
    "  --out FILE          write the certificate there instead of standard output\n";

typedef struct create_args {
    ir_ks_subca_spec spec;
    bool self_signed;
    const char *issuer_cert_file;
    const char *out;
} create_args;

static int parse_days(const char *s, int *days)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);

    if (end == s || *end != '\0' || v < 1 || v > 36500)
        return 0;
    *days = (int)v;
    return 1;
}

/* The arguments of subca create. */
static int create_from(const ir_cli_args *a, create_args *c)
{
    const char *days = ir_cli_value(a, "--days");

    memset(c, 0, sizeof(*c));
    c->spec.name = a->pos[0];
    c->spec.key_spec = ir_cli_value(a, "--key");
    c->spec.subject = ir_cli_value(a, "--subject");
    c->spec.issuer_key_uri = ir_cli_value(a, "--issuer-key");
    c->spec.days = 3650;
    c->self_signed = ir_cli_value(a, "--self-signed") != NULL;
    c->issuer_cert_file = ir_cli_value(a, "--issuer-cert");
    c->out = ir_cli_value(a, "--out");
    if (days != NULL && !parse_days(days, &c->spec.days))
        return ir_cli_usage_error(a, "--days takes 1 to 36500");
    if (c->spec.key_spec == NULL || c->spec.subject == NULL)
        return ir_cli_usage_error(a, "--key and --subject are required");
    if (c->self_signed == (c->spec.issuer_key_uri != NULL) ||
        (c->spec.issuer_key_uri != NULL) != (c->issuer_cert_file != NULL))
        return ir_cli_usage_error(
            a, "give --self-signed, or --issuer-key together with --issuer-cert");
    return IR_CLI_OK;
}

static ir_rc read_cert_file(const char *path, X509 **out, ir_err *err)
{
    BIO *b = BIO_new_file(path, "rb");

    *out = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    if (*out == NULL && b != NULL && BIO_reset(b) == 0)
        *out = d2i_X509_bio(b, NULL);
    BIO_free(b);
    if (*out == NULL)
        return ir_ks_ossl_error(err, IR_ERR_PARSE, path);
    return IR_OK;
}

static ir_rc write_pem(const char *path, X509 *x, ir_err *err)
{
    BIO *b = path != NULL ? BIO_new_file(path, "w") : BIO_new_fp(stdout, BIO_NOCLOSE);
    int ok = b != NULL && PEM_write_bio_X509(b, x);

    BIO_free(b);
    return ok ? IR_OK
              : ir_err_set(err, IR_ERR_IO, "cannot write the certificate to %s",
                           path != NULL ? path : "standard output");
}

static ir_rc run_create(const ir_cli *cli, create_args *a, ir_err *err)
{
    ir_cli_keystore s = {0};
    OSSL_LIB_CTX *libctx = NULL;
    X509 *x = NULL;
    ir_rc rc = IR_OK;

    if (a->issuer_cert_file != NULL)
        rc = read_cert_file(a->issuer_cert_file, &a->spec.issuer_cert, err);
    if (rc == IR_OK)
        rc = ir_cli_keystore_login(cli, &s, err);
    if (rc == IR_OK)
        rc = ir_ks_ossl_libctx(s.cfg->path, &libctx, err);
    a->spec.pin = s.pin != NULL && s.pin[0] != '\0' ? s.pin : NULL;
    if (rc == IR_OK)
        rc = ir_ks_subca_create(s.ks, libctx, &a->spec, &x, err);
    if (rc == IR_OK)
        rc = write_pem(a->out, x, err);
    if (rc == IR_OK && a->out != NULL)
        printf("SubCA '%s' created in token '%s'; certificate written to %s\n", a->spec.name,
               ir_keystore_token_label(s.ks), a->out);
    X509_free(x);
    X509_free(a->spec.issuer_cert);
    OSSL_LIB_CTX_free(libctx);
    ir_cli_keystore_logout(&s);
    return rc;
}

static int subca_create(const ir_cli_args *a)
{
    create_args c;
    ir_err err = {0};
    int rc = create_from(a, &c);

    if (rc != IR_CLI_OK)
        return rc;
    if (run_create(&a->cli, &c, &err) != IR_OK)
        return ir_cli_failed(a, &err);
    return IR_CLI_OK;
}

static const ir_cli_opt create_opts[] = {
    {"--key", false},         {"--subject", false},
    {"--self-signed", true},  {"--issuer-key", false},
    {"--issuer-cert", false}, {"--days", false},
    {"--out", false},         {NULL, false},
};

const ir_cli_command ir_cli_subca_create = {"subca create",
                                            "generate a SubCA key in the token and certify it",
                                            create_help,
                                            "NAME",
                                            0,
                                            create_opts,
                                            subca_create};

/* --- subca import ------------------------------------------------------------ */

static const char import_help[] =
    "usage: iotregctl subca import NAME --cert FILE [--key FILE]\n\n"
    "Stores an existing SubCA certificate (PEM or DER) in the token under NAME and,\n"
    "with --key, its private key (PEM, PKCS#8 or traditional; a passphrase is asked\n"
    "for on the terminal when it is encrypted) as a sensitive, non-extractable token\n"
    "key. The key must belong to the certificate. Delete the key file afterwards:\n"
    "from now on the key signs only inside the token.\n";

static ir_rc read_key_file(const char *path, EVP_PKEY **out, ir_err *err)
{
    OSSL_STORE_CTX *st = OSSL_STORE_open(path, UI_OpenSSL(), NULL, NULL, NULL);
    OSSL_STORE_INFO *info;

    *out = NULL;
    if (st != NULL && OSSL_STORE_expect(st, OSSL_STORE_INFO_PKEY))
        while (*out == NULL && !OSSL_STORE_eof(st) && (info = OSSL_STORE_load(st)) != NULL) {
            *out = OSSL_STORE_INFO_get1_PKEY(info);
            OSSL_STORE_INFO_free(info);
        }
    OSSL_STORE_close(st);
    return *out != NULL ? IR_OK : ir_ks_ossl_error(err, IR_ERR_PARSE, path);
}

static ir_rc run_import(const ir_cli *cli, const char *name, const char *cert_file,
                        const char *key_file, ir_err *err)
{
    ir_cli_keystore s = {0};
    X509 *x = NULL;
    EVP_PKEY *key = NULL;
    ir_rc rc = read_cert_file(cert_file, &x, err);

    if (rc == IR_OK && key_file != NULL)
        rc = read_key_file(key_file, &key, err);
    if (rc == IR_OK)
        rc = ir_cli_keystore_login(cli, &s, err);
    if (rc == IR_OK)
        rc = ir_ks_subca_import(s.ks, name, x, key, err);
    if (rc == IR_OK)
        printf("SubCA '%s' imported into token '%s'%s\n", name, ir_keystore_token_label(s.ks),
               key != NULL ? " with its private key (non-extractable)" : " (certificate only)");
    EVP_PKEY_free(key);
    X509_free(x);
    ir_cli_keystore_logout(&s);
    return rc;
}

static int subca_import(const ir_cli_args *a)
{
    const char *cert = ir_cli_value(a, "--cert");
    ir_err err = {0};

    if (cert == NULL)
        return ir_cli_usage_error(a, "give NAME and --cert FILE");
    if (run_import(&a->cli, a->pos[0], cert, ir_cli_value(a, "--key"), &err) != IR_OK)
        return ir_cli_failed(a, &err);
    return IR_CLI_OK;
}

static const ir_cli_opt import_opts[] = {{"--cert", false}, {"--key", false}, {NULL, false}};

const ir_cli_command ir_cli_subca_import = {
    "subca import",
    "store an existing SubCA certificate (and key) in the token",
    import_help,
    "NAME",
    0,
    import_opts,
    subca_import};

/* --- subca list -------------------------------------------------------------- */

static const char list_help[] =
    "usage: iotregctl [--json] subca list [--json]\n\n"
    "Lists the SubCAs in the token: name (the object label), key type, subject,\n"
    "expiry (UTC) and whether an AWS registration record is stored.\n";

static void print_subcas(const ir_ks_subca_info *v, size_t n)
{
    size_t i;

    printf("%-24s %-9s %-20s %-10s %s\n", "NAME", "KEY", "EXPIRES", "AWS", "SUBJECT");
    for (i = 0; i < n; i++)
        printf("%-24s %-9s %-20s %-10s %s\n", v[i].name, v[i].key, v[i].not_after,
               v[i].registered ? "registered" : "-", v[i].subject);
}

static void print_subcas_json(const ir_ks_subca_info *v, size_t n)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", v[i].name, "key",
                                             v[i].key, "subject", v[i].subject, "not_after",
                                             v[i].not_after, "registered", v[i].registered));
    ir_cli_print_json(arr);
}

static int subca_list(const ir_cli_args *a)
{
    ir_cli_keystore s = {0};
    ir_ks_subca_info *v = NULL;
    size_t n = 0;
    ir_err err = {0};
    ir_rc rc = ir_cli_keystore_login(&a->cli, &s, &err);

    if (rc == IR_OK)
        rc = ir_ks_subca_list(s.ks, &v, &n, &err);
    ir_cli_keystore_logout(&s);
    if (rc != IR_OK)
        return ir_cli_failed(a, &err);
    if (a->cli.json)
        print_subcas_json(v, n);
    else
        print_subcas(v, n);
    free(v);
    return IR_CLI_OK;
}

const ir_cli_command ir_cli_subca_list = {
    "subca list", "list the SubCAs in the token", list_help, "", IR_CLI_JSON, NULL, subca_list};
