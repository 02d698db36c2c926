/* iotregctl keystore commands: the PKCS#11 token, SubCAs, AWS secrets and
 * the SubCAs' AWS registration. The work is done in src/keystore; this file
 * parses arguments and prints. */
#include "config.h"

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

#include "cli/cli.h"
#include "app/runtime.h"
#include "config/config.h"
#include "core/util.h"
#include "keystore/keystore.h"
#include "keystore/register.h"
#include "keystore/subca.h"

#define SECRET_MAX 256

/* --- shared helpers -------------------------------------------------------- */

static bool wants_help(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    return false;
}

static int usage_error(const ir_cli *cli, const char *cmd, const char *what)
{
    ir_cli_error(cli, "%s: %s (try iotregctl %s --help)", cmd, what, cmd);
    return IR_CLI_USAGE;
}

static int failed(const ir_cli *cli, const char *cmd, const ir_err *err)
{
    ir_cli_error(cli, "%s: %s", cmd, err->msg);
    return IR_CLI_FAILED;
}

/* The configuration and, once opened, the keystore (logged in). */
typedef struct ks_session {
    ir_config *cfg;
    bool borrowed; /* cfg belongs to the caller */
    ir_keystore *ks;
    char pin[IR_KS_PIN_MAX]; /* when asked on the terminal; cleansed */
} ks_session;

static ir_rc ask_pin(void *arg, char *pin, size_t size, ir_err *err)
{
    ks_session *s = arg;
    ir_rc rc;

    if (!isatty(STDIN_FILENO))
        return ir_err_set(err, IR_ERR_CONFIG,
                          "no PIN: the PIN file %s does not exist and standard input is not a "
                          "terminal to ask on; create the PIN file (mode 600)",
                          s->cfg->keystore.pin_file != NULL ? s->cfg->keystore.pin_file : "");
    rc = ir_ks_read_secret(STDIN_FILENO, "user PIN of the token: ", pin, size, err);
    if (rc == IR_OK)
        snprintf(s->pin, sizeof(s->pin), "%s", pin);
    return rc;
}

static ir_rc load_config(const ir_cli *cli, ir_config **cfg, ir_err *err)
{
    return ir_config_load(ir_config_resolve_path(cli->config_path), cfg, err);
}

/* Opens the keystore of cfg and logs in. */
static ir_rc session_login(ks_session *s, ir_err *err)
{
    ir_keystore_opts opts;
    ir_rc rc;

    ir_ks_opts_from_config(s->cfg, &opts);
    rc = ir_keystore_open(&opts, &s->ks, err);
    if (rc == IR_OK)
        rc = ir_keystore_login(s->ks, ask_pin, s, err);
    return rc;
}

static ir_rc session_open(const ir_cli *cli, ks_session *s, ir_err *err)
{
    ir_rc rc;

    memset(s, 0, sizeof(*s));
    rc = load_config(cli, &s->cfg, err);
    return rc == IR_OK ? session_login(s, err) : rc;
}

/* The same with a configuration the caller already loaded. */
static ir_rc session_open_cfg(ir_config *cfg, ks_session *s, ir_err *err)
{
    memset(s, 0, sizeof(*s));
    s->cfg = cfg;
    s->borrowed = true;
    return session_login(s, err);
}

static void session_close(ks_session *s)
{
    ir_keystore_close(s->ks);
    if (!s->borrowed)
        ir_config_free(s->cfg);
    OPENSSL_cleanse(s->pin, sizeof(s->pin));
}

/* --- keystore init ----------------------------------------------------------- */

static const char init_help[] =
    "usage: iotregctl keystore init\n\n"
    "Checks the PKCS#11 token named by <keystore> in the configuration and prints\n"
    "what it found; when no token has that label, creates it: for SoftHSM2 with a\n"
    "<softhsm-dir>, the directory, its tokens/ directory and softhsm2.conf first,\n"
    "then C_InitToken with the security officer PIN from <so-pin-file> and\n"
    "C_InitPIN with the user PIN from <pin-file> (both files must exist, mode 600).\n";

static ir_rc read_pin_file(const char *path, const char *what, char *pin, size_t size, ir_err *err)
{
    if (path == NULL)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "creating the token needs the %s: set <keystore><%s> in the "
                          "configuration",
                          what, strcmp(what, "user PIN") == 0 ? "pin-file" : "so-pin-file");
    return ir_ks_read_pin_file(path, pin, size, err);
}

static ir_rc create_token(const ir_config *cfg, ir_err *err)
{
    char so_pin[IR_KS_PIN_MAX], user_pin[IR_KS_PIN_MAX];
    ir_keystore_opts opts;
    ir_rc rc = read_pin_file(cfg->keystore.so_pin_file, "security officer PIN", so_pin,
                             sizeof(so_pin), err);

    if (rc == IR_OK)
        rc = read_pin_file(cfg->keystore.pin_file, "user PIN", user_pin, sizeof(user_pin), err);
    ir_ks_opts_from_config(cfg, &opts);
    if (rc == IR_OK)
        rc = ir_ks_token_create(&opts, so_pin, user_pin, err);
    OPENSSL_cleanse(so_pin, sizeof(so_pin));
    OPENSSL_cleanse(user_pin, sizeof(user_pin));
    return rc;
}

static size_t count_class(ir_keystore *ks, CK_OBJECT_CLASS cls, bool skip_verification)
{
    char **labels = NULL;
    size_t n = 0, i, count = 0;

    if (ir_ks_list_labels(ks, cls, &labels, &n, NULL) != IR_OK)
        return 0;
    for (i = 0; i < n; i++)
        if (!skip_verification || strstr(labels[i], IR_KS_VERIFICATION_SUFFIX) == NULL)
            count++;
    ir_ks_labels_free(labels, n);
    return count;
}

static int report_token(const ir_cli *cli, ks_session *s, bool created)
{
    ir_ks_token_desc d;
    ir_err err = {0};

    if (ir_ks_token_describe(s->ks, &d, &err) != IR_OK)
        return failed(cli, "keystore init", &err);
    printf("token '%s' %s: slot %lu of %s\n", d.label, created ? "created" : "found", d.slot,
           ir_keystore_module(s->ks));
    printf("  manufacturer %s, model %s, serial %s, user PIN %s\n", d.manufacturer, d.model,
           d.serial, d.user_pin_set ? "set" : "NOT set");
    if (ir_keystore_login(s->ks, ask_pin, s, &err) != IR_OK)
        return failed(cli, "keystore init", &err);
    printf("  login with the user PIN: ok\n");
    printf("  %zu SubCA certificate(s), %zu private key(s), %zu AWS secret(s)\n",
           count_class(s->ks, CKO_CERTIFICATE, true), count_class(s->ks, CKO_PRIVATE_KEY, false),
           count_class(s->ks, CKO_SECRET_KEY, false));
    return IR_CLI_OK;
}

static int open_or_create(const ir_cli *cli, ks_session *s, bool *created, ir_err *err)
{
    ir_keystore_opts opts;
    bool dir_made = false;
    ir_rc rc = ir_ks_softhsm_prepare(s->cfg->keystore.softhsm_dir, &dir_made, err);

    if (rc != IR_OK)
        return rc;
    if (dir_made)
        printf("SoftHSM2 directory %s prepared (SOFTHSM2_CONF=%s/softhsm2.conf)\n",
               s->cfg->keystore.softhsm_dir, s->cfg->keystore.softhsm_dir);
    ir_ks_opts_from_config(s->cfg, &opts);
    rc = ir_keystore_open(&opts, &s->ks, err);
    if (rc == IR_OK || ir_keystore_last_reason() != IR_KS_R_TOKEN_NOT_FOUND)
        return rc;
    rc = create_token(s->cfg, err);
    if (rc == IR_OK) {
        *created = true;
        rc = ir_keystore_open(&opts, &s->ks, err);
    }
    return rc;
}

static int cmd_keystore_init(const ir_cli *cli, int argc, char **argv)
{
    ks_session s = {0};
    ir_err err = {0};
    bool created = false;
    int ret;

    if (wants_help(argc, argv)) {
        fputs(init_help, stdout);
        return IR_CLI_OK;
    }
    if (argc > 1)
        return usage_error(cli, "keystore init", "takes no arguments");
    if (load_config(cli, &s.cfg, &err) != IR_OK)
        return failed(cli, "keystore init", &err);
    if (open_or_create(cli, &s, &created, &err) != IR_OK)
        ret = failed(cli, "keystore init", &err);
    else
        ret = report_token(cli, &s, created);
    session_close(&s);
    return ret;
}

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
            return usage_error(cli, "subca create",
                               c == 'd' ? "--days takes 1 to 36500" : "unknown option");
    if (optind != argc - 1)
        return usage_error(cli, "subca create", "give exactly one NAME");
    a->spec.name = argv[optind];
    if (a->spec.key_spec == NULL || a->spec.subject == NULL)
        return usage_error(cli, "subca create", "--key and --subject are required");
    if (a->self_signed == (a->spec.issuer_key_uri != NULL) ||
        (a->spec.issuer_key_uri != NULL) != (a->issuer_cert_file != NULL))
        return usage_error(cli, "subca create",
                           "give --self-signed, or --issuer-key together with --issuer-cert");
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
        rc = session_open(cli, &s, err);
    if (rc == IR_OK)
        rc = ir_ks_ossl_libctx(s.cfg->path, &libctx, err);
    a->spec.pin = s.pin[0] != '\0' ? s.pin : NULL;
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
    session_close(&s);
    return rc;
}

static int cmd_subca_create(const ir_cli *cli, int argc, char **argv)
{
    create_args a;
    ir_err err = {0};
    int ret;

    if (wants_help(argc, argv)) {
        fputs(create_help, stdout);
        return IR_CLI_OK;
    }
    ret = parse_create(cli, argc, argv, &a);
    if (ret != IR_CLI_OK)
        return ret;
    if (run_create(cli, &a, &err) != IR_OK)
        return failed(cli, "subca create", &err);
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
        rc = session_open(cli, &s, err);
    if (rc == IR_OK)
        rc = ir_ks_subca_import(s.ks, name, x, key, err);
    if (rc == IR_OK)
        printf("SubCA '%s' imported into token '%s'%s\n", name, ir_keystore_token_label(s.ks),
               key != NULL ? " with its private key (non-extractable)" : " (certificate only)");
    EVP_PKEY_free(key);
    X509_free(x);
    session_close(&s);
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

    if (wants_help(argc, argv)) {
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
            return usage_error(cli, "subca import", "unknown option");
    }
    if (optind != argc - 1 || cert == NULL)
        return usage_error(cli, "subca import", "give NAME and --cert FILE");
    if (run_import(cli, argv[optind], cert, key, &err) != IR_OK)
        return failed(cli, "subca import", &err);
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

static bool json_flag(const ir_cli *cli, int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "--json") == 0)
            return true;
    return cli->json;
}

static int cmd_subca_list(const ir_cli *cli, int argc, char **argv)
{
    ks_session s = {0};
    ir_ks_subca_info *v = NULL;
    size_t n = 0;
    ir_err err = {0};
    ir_rc rc;

    if (wants_help(argc, argv)) {
        fputs(list_help, stdout);
        return IR_CLI_OK;
    }
    if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json") != 0))
        return usage_error(cli, "subca list", "takes only --json");
    rc = session_open(cli, &s, &err);
    if (rc == IR_OK)
        rc = ir_ks_subca_list(s.ks, &v, &n, &err);
    session_close(&s);
    if (rc != IR_OK)
        return failed(cli, "subca list", &err);
    if (json_flag(cli, argc, argv))
        print_subcas_json(v, n);
    else
        print_subcas(v, n);
    free(v);
    return IR_CLI_OK;
}

/* --- secret set-aws ---------------------------------------------------------- */

static const char secret_help[] =
    "usage: iotregctl secret set-aws NAME --access-key-id ID\n\n"
    "Reads an AWS secret access key from standard input (without echo on a\n"
    "terminal) and stores \"AWS4\"+secret in the token as a non-extractable HMAC key\n"
    "(CKK_GENERIC_SECRET, CKM_SHA256_HMAC) labelled NAME, with the access key id in\n"
    "its CKA_ID. SigV4's first step then runs inside the token; the secret is\n"
    "cleansed from memory right after. Refer to it in the configuration as\n"
    "<credentials><keystore secret=\"NAME\"/></credentials>. An existing secret\n"
    "of that name is replaced.\n";

static ir_rc run_set_aws(const ir_cli *cli, const char *name, const char *akid, ir_err *err)
{
    char secret[SECRET_MAX + 1];
    ks_session s = {0};
    ir_rc rc = ir_ks_check_name(name, err);

    if (rc == IR_OK)
        rc = session_open(cli, &s, err);
    if (rc != IR_OK) {
        session_close(&s);
        return rc;
    }
    rc = ir_ks_read_secret(STDIN_FILENO, "AWS secret access key: ", secret, sizeof(secret), err);
    if (rc == IR_OK)
        rc = ir_ks_aws_secret_store(s.ks, name, akid, secret, strlen(secret), err);
    OPENSSL_cleanse(secret, sizeof(secret));
    if (rc == IR_OK)
        printf("AWS secret '%s' (access key id %s) stored in token '%s' as a non-extractable "
               "HMAC key\n",
               name, akid, ir_keystore_token_label(s.ks));
    session_close(&s);
    return rc;
}

static int cmd_secret_set_aws(const ir_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"access-key-id", required_argument, NULL, 'a'},
        {NULL, 0, NULL, 0},
    };
    const char *akid = NULL;
    ir_err err = {0};
    int c;

    if (wants_help(argc, argv)) {
        fputs(secret_help, stdout);
        return IR_CLI_OK;
    }
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'a')
            return usage_error(cli, "secret set-aws", "unknown option");
        akid = optarg;
    }
    if (optind != argc - 1 || akid == NULL)
        return usage_error(cli, "secret set-aws", "give NAME and --access-key-id ID");
    if (run_set_aws(cli, argv[optind], akid, &err) != IR_OK)
        return failed(cli, "secret set-aws", &err);
    return IR_CLI_OK;
}

/* --- ca register ------------------------------------------------------------- */

static const char register_help[] =
    "usage: iotregctl ca register NAME [--region R] [--account CSPNAME]\n\n"
    "Registers the SubCA NAME (its certificate in the token) in the CSP's own AWS\n"
    "account: GetRegistrationCode, a verification certificate (CN = the code, a\n"
    "fresh key, signed by the SubCA inside the token), RegisterCACertificate in\n"
    "DEFAULT mode, active, with auto-registration off. The registration token\n"
    "(the verification certificate and a JSON record of the code, caCertificateId,\n"
    "ARN, account, region and time) is stored in the token\n"
    "(iotreg:object=NAME;type=token). Running it again finds the registration\n"
    "(recorded, listed in the account, or AWS's ResourceAlreadyExistsException)\n"
    "and registers nothing twice.\n\n"
    "  --account CSPNAME  the <csp-account> to use (default: the SubCA's <csp-account>\n"
    "                     in the configuration)\n"
    "  --region R         the region (default: the account's <region>)\n";

typedef struct register_args {
    const char *name, *account, *region;
} register_args;

static int parse_register(const ir_cli *cli, int argc, char **argv, register_args *a)
{
    static const struct option opts[] = {
        {"account", required_argument, NULL, 'a'},
        {"region", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    int c;

    memset(a, 0, sizeof(*a));
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'a')
            a->account = optarg;
        else if (c == 'r')
            a->region = optarg;
        else
            return usage_error(cli, "ca register", "unknown option");
    }
    if (optind != argc - 1)
        return usage_error(cli, "ca register", "give exactly one SubCA NAME");
    a->name = argv[optind];
    return IR_CLI_OK;
}

static ir_rc find_account(const ir_config *cfg, const register_args *a, const ir_csp_account **out,
                          ir_err *err)
{
    const ir_subca_conf *sub = ir_config_subca(cfg, a->name);
    const char *name = a->account != NULL ? a->account : sub != NULL ? sub->csp_account : NULL;

    if (name == NULL)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "SubCA '%s' has no <csp-account> in %s: add it there or give "
                          "--account CSPNAME",
                          a->name, cfg->path);
    *out = ir_config_csp_account(cfg, name);
    if (*out == NULL)
        return ir_err_set(err, IR_ERR_CONFIG, "no <csp-account name=\"%s\"> in %s", name,
                          cfg->path);
    return IR_OK;
}

static void print_registration(const ir_ks_registration *r, ir_ks_reg_outcome how, const char *name)
{
    static const char *const said[] = {
        [IR_KS_REG_REGISTERED] = "registered",
        [IR_KS_REG_RECORDED] = "already registered (nothing changed)",
        [IR_KS_REG_FOUND] = "already registered in AWS; the keystore record is filled in",
    };

    printf("SubCA '%s' %s: account %s (%s), region %s\n", name, said[how], r->account,
           r->account_id, r->region);
    printf("  caCertificateId %s, status %s\n  %s\n", r->ca_certificate_id, r->status,
           r->ca_certificate_arn);
}

static ir_rc run_register(ir_runtime *rt, const register_args *a, ir_err *err)
{
    const ir_csp_account *acct = NULL;
    ir_iot_target target;
    ks_session s = {0};
    OSSL_LIB_CTX *libctx = NULL;
    ir_ks_registration reg;
    ir_ks_reg_outcome how = IR_KS_REG_REGISTERED;
    ir_rc rc = find_account(rt->cfg, a, &acct, err);

    if (rc == IR_OK)
        rc = ir_accounts_csp_target(rt->accounts, acct, a->region, &target, err);
    if (rc == IR_OK)
        rc = session_open_cfg(rt->cfg, &s, err);
    if (rc == IR_OK)
        rc = ir_ks_ossl_libctx(rt->cfg->path, &libctx, err);
    if (rc == IR_OK) {
        ir_ks_reg_request req = {a->name,
                                 acct->name,
                                 acct->account_id,
                                 rt->aws,
                                 &target,
                                 libctx,
                                 s.pin[0] != '\0' ? s.pin : NULL};
        rc = ir_ks_ca_register(s.ks, &req, &reg, &how, err);
    }
    if (rc == IR_OK)
        print_registration(&reg, how, a->name);
    OSSL_LIB_CTX_free(libctx);
    session_close(&s);
    return rc;
}

static int cmd_ca_register(const ir_cli *cli, int argc, char **argv)
{
    register_args a;
    ir_runtime rt;
    ir_err err = {0};
    ir_rc rc;
    int ret;

    if (wants_help(argc, argv)) {
        fputs(register_help, stdout);
        return IR_CLI_OK;
    }
    ret = parse_register(cli, argc, argv, &a);
    if (ret != IR_CLI_OK)
        return ret;
    rc = ir_ks_check_name(a.name, &err);
    if (rc == IR_OK)
        rc = ir_runtime_open(cli->config_path, IR_RT_AWS, &rt, &err);
    if (rc != IR_OK)
        return failed(cli, "ca register", &err);
    rc = run_register(&rt, &a, &err);
    ir_runtime_close(&rt);
    return rc == IR_OK ? IR_CLI_OK : failed(cli, "ca register", &err);
}

/* --- ca list ----------------------------------------------------------------- */

static const char ca_list_help[] =
    "usage: iotregctl [--json] ca list [--json]\n\n"
    "Lists every SubCA in the token and where it is registered in AWS, from the\n"
    "registration records in the token: account, region, caCertificateId, status\n"
    "when registered, and the time of registration.\n";

static json_t *registrations_json(const ir_ks_registration *r, size_t n)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "account",
                                             r[i].account, "accountId", r[i].account_id, "region",
                                             r[i].region, "caCertificateId", r[i].ca_certificate_id,
                                             "caCertificateArn", r[i].ca_certificate_arn, "status",
                                             r[i].status, "registeredAt", r[i].registered_at));
    return arr;
}

static void print_ca_text(const ir_ks_subca_info *sub, const ir_ks_registration *r, size_t n)
{
    size_t i;

    if (n == 0)
        printf("%-24s not registered\n", sub->name);
    for (i = 0; i < n; i++)
        printf("%-24s %-14s %-12s %-14s %-8s %s %s\n", sub->name, r[i].account, r[i].account_id,
               r[i].region, r[i].status, r[i].registered_at, r[i].ca_certificate_id);
}

static ir_rc list_cas(ks_session *s, bool json, ir_err *err)
{
    ir_ks_subca_info *v = NULL;
    ir_ks_registration *r = NULL;
    json_t *out = json_array();
    size_t n = 0, nr, i;
    ir_rc rc = ir_ks_subca_list(s->ks, &v, &n, err);

    for (i = 0; rc == IR_OK && i < n; i++) {
        rc = ir_ks_registrations(s->ks, v[i].name, &r, &nr, err);
        if (rc == IR_OK && json)
            json_array_append_new(out, json_pack("{s:s, s:o}", "subca", v[i].name, "registrations",
                                                 registrations_json(r, nr)));
        else if (rc == IR_OK)
            print_ca_text(&v[i], r, nr);
        free(r);
    }
    if (rc == IR_OK && json) {
        json_dumpf(out, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    }
    json_decref(out);
    free(v);
    return rc;
}

static int cmd_ca_list(const ir_cli *cli, int argc, char **argv)
{
    ks_session s = {0};
    ir_err err = {0};
    ir_rc rc;

    if (wants_help(argc, argv)) {
        fputs(ca_list_help, stdout);
        return IR_CLI_OK;
    }
    if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json") != 0))
        return usage_error(cli, "ca list", "takes only --json");
    rc = session_open(cli, &s, &err);
    if (rc == IR_OK)
        rc = list_cas(&s, json_flag(cli, argc, argv), &err);
    session_close(&s);
    return rc == IR_OK ? IR_CLI_OK : failed(cli, "ca list", &err);
}

const ir_cli_command ir_cli_keystore_commands[] = {
    {"keystore init", cmd_keystore_init, "", "check the PKCS#11 token, or create it"},
    {"subca create", cmd_subca_create,
     "NAME --key SPEC --subject DN (--self-signed | --issuer-key URI --issuer-cert FILE)",
     "generate a SubCA key in the token and certify it"},
    {"subca import", cmd_subca_import, "NAME --cert FILE [--key FILE]",
     "store an existing SubCA certificate (and key) in the token"},
    {"subca list", cmd_subca_list, "[--json]", "list the SubCAs in the token"},
    {"secret set-aws", cmd_secret_set_aws, "NAME --access-key-id ID",
     "store an AWS secret key (from stdin) as a non-extractable HMAC key"},
    {"ca register", cmd_ca_register, "NAME [--region R] [--account CSPNAME]",
     "register a SubCA in the CSP's AWS account (once)"},
    {"ca list", cmd_ca_list, "[--json]", "list the SubCAs and where they are registered"},
    {NULL, NULL, NULL, NULL},
};
