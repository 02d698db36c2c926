/* iotregctl subca commands: SubCA keys and certificates in the token. */
#include "autoconf.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/store.h>
#include <openssl/ui.h>

#include "app/runtime.h"
#include "app/subca_register.h"
#include "cli/cli.h"
#include "cli/ks_session.h"
#include "config/config.h"
#include "core/util.h"
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

/* One option of subca create; 0 for an unknown option or a bad --days. */
static int create_option(int c, create_args *a)
{
    const char **slot = c == 'k'   ? &a->spec.key_spec
                        : c == 's' ? &a->spec.subject
                        : c == 'i' ? &a->spec.issuer_key_uri
                        : c == 'c' ? &a->issuer_cert_file
                        : c == 'o' ? &a->out
                                   : NULL;

    if (slot != NULL)
        *slot = optarg;
    else if (c == 'S')
        a->self_signed = true;
    else if (c != 'd' || !parse_days(optarg, &a->spec.days))
        return 0;
    return 1;
}

static int parse_create(const ir_cli *cli, int argc, char **argv, create_args *a)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},         {"subject", required_argument, NULL, 's'},
        {"self-signed", no_argument, NULL, 'S'},       {"issuer-key", required_argument, NULL, 'i'},
        {"issuer-cert", required_argument, NULL, 'c'}, {"days", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},         {NULL, 0, NULL, 0},
    };
    int c;

    memset(a, 0, sizeof(*a));
    a->spec.days = 3650;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
        if (!create_option(c, a))
            return ir_cli_usage_error(cli, "subca create",
                                      c == 'd' ? "--days takes 1 to 36500" : "unknown option");
    if (optind != argc - 1)
        return ir_cli_usage_error(cli, "subca create", "give exactly one NAME");
    a->spec.name = argv[optind];
    if (a->spec.key_spec == NULL || a->spec.subject == NULL)
        return ir_cli_usage_error(cli, "subca create", "--key and --subject are required");
    if (a->self_signed == (a->spec.issuer_key_uri != NULL) ||
        (a->spec.issuer_key_uri != NULL) != (a->issuer_cert_file != NULL))
        return ir_cli_usage_error(
            cli, "subca create", "give --self-signed, or --issuer-key together with --issuer-cert");
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
    ks_session s = {0};
    OSSL_LIB_CTX *libctx = NULL;
    X509 *x = NULL;
    ir_rc rc = IR_OK;

    if (a->issuer_cert_file != NULL)
        rc = read_cert_file(a->issuer_cert_file, &a->spec.issuer_cert, err);
    if (rc == IR_OK)
        rc = ks_session_open(cli, &s, err);
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
    ks_session_close(&s);
    return rc;
}

static int cmd_subca_create(const ir_cli *cli, int argc, char **argv)
{
    create_args a;
    ir_err err = {0};
    int ret;

    if (ir_cli_wants_help(argc, argv)) {
        fputs(create_help, stdout);
        return IR_CLI_OK;
    }
    ret = parse_create(cli, argc, argv, &a);
    if (ret != IR_CLI_OK)
        return ret;
    if (run_create(cli, &a, &err) != IR_OK)
        return ir_cli_failed(cli, "subca create", &err);
    return IR_CLI_OK;
}

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
    ks_session s = {0};
    X509 *x = NULL;
    EVP_PKEY *key = NULL;
    ir_rc rc = read_cert_file(cert_file, &x, err);

    if (rc == IR_OK && key_file != NULL)
        rc = read_key_file(key_file, &key, err);
    if (rc == IR_OK)
        rc = ks_session_open(cli, &s, err);
    if (rc == IR_OK)
        rc = ir_ks_subca_import(s.ks, name, x, key, err);
    if (rc == IR_OK)
        printf("SubCA '%s' imported into token '%s'%s\n", name, ir_keystore_token_label(s.ks),
               key != NULL ? " with its private key (non-extractable)" : " (certificate only)");
    EVP_PKEY_free(key);
    X509_free(x);
    ks_session_close(&s);
    return rc;
}

static int cmd_subca_import(const ir_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"cert", required_argument, NULL, 'c'},
        {"key", required_argument, NULL, 'k'},
        {NULL, 0, NULL, 0},
    };
    const char *cert = NULL, *key = NULL;
    ir_err err = {0};
    int c;

    if (ir_cli_wants_help(argc, argv)) {
        fputs(import_help, stdout);
        return IR_CLI_OK;
    }
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'c')
            cert = optarg;
        else if (c == 'k')
            key = optarg;
        else
            return ir_cli_usage_error(cli, "subca import", "unknown option");
    }
    if (optind != argc - 1 || cert == NULL)
        return ir_cli_usage_error(cli, "subca import", "give NAME and --cert FILE");
    if (run_import(cli, argv[optind], cert, key, &err) != IR_OK)
        return ir_cli_failed(cli, "subca import", &err);
    return IR_CLI_OK;
}

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
    json_dumpf(arr, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(arr);
}

static int cmd_subca_list(const ir_cli *cli, int argc, char **argv)
{
    ks_session s = {0};
    ir_ks_subca_info *v = NULL;
    size_t n = 0;
    ir_err err = {0};
    ir_rc rc;

    if (ir_cli_wants_help(argc, argv)) {
        fputs(list_help, stdout);
        return IR_CLI_OK;
    }
    if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json") != 0))
        return ir_cli_usage_error(cli, "subca list", "takes only --json");
    rc = ks_session_open(cli, &s, &err);
    if (rc == IR_OK)
        rc = ir_ks_subca_list(s.ks, &v, &n, &err);
    ks_session_close(&s);
    if (rc != IR_OK)
        return ir_cli_failed(cli, "subca list", &err);
    if (ir_cli_json_flag(cli, argc, argv))
        print_subcas_json(v, n);
    else
        print_subcas(v, n);
    free(v);
    return IR_CLI_OK;
}

const ir_cli_command ir_cli_subca_commands[] = {
    {"subca create", cmd_subca_create,
     "NAME --key SPEC --subject DN (--self-signed | --issuer-key URI --issuer-cert FILE)",
     "generate a SubCA key in the token and certify it"},
    {"subca import", cmd_subca_import, "NAME --cert FILE [--key FILE]",
     "store an existing SubCA certificate (and key) in the token"},
    {"subca list", cmd_subca_list, "[--json]", "list the SubCAs in the token"},
    {NULL, NULL, NULL, NULL},
};
