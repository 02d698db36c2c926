/* iotregctl keystore commands: the PKCS#11 token and the AWS secrets it
 * keeps. The work is done in src/keystore; this file parses and prints. */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "app/runtime.h"
#include "app/settings.h"
#include "app/subca_register.h"
#include "cli/cli.h"
#include "cli/cli_keystore_login.h"
#include "config/config.h"
#include "keystore/keystore.h"
#include "keystore/subca.h"

#define SECRET_MAX 256

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

static int report_token(const ir_cli_args *a, ir_cli_keystore *s, bool created)
{
    ir_ks_token_desc d;
    ir_err err = {0};

    if (ir_ks_token_describe(s->ks, &d, &err) != IR_OK)
        return ir_cli_failed(a, &err);
    printf("token '%s' %s: slot %lu of %s\n", d.label, created ? "created" : "found", d.slot,
           ir_keystore_module(s->ks));
    printf("  manufacturer %s, model %s, serial %s, user PIN %s\n", d.manufacturer, d.model,
           d.serial, d.user_pin_set ? "set" : "NOT set");
    if (ir_keystore_login(s->ks, ir_cli_keystore_ask_pin, s, &err) != IR_OK)
        return ir_cli_failed(a, &err);
    printf("  login with the user PIN: ok\n");
    printf("  %zu SubCA certificate(s), %zu private key(s), %zu AWS secret(s)\n",
           count_class(s->ks, CKO_CERTIFICATE, true), count_class(s->ks, CKO_PRIVATE_KEY, false),
           count_class(s->ks, CKO_SECRET_KEY, false));
    return IR_CLI_OK;
}

static int open_or_create(ir_cli_keystore *s, bool *created, ir_err *err)
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

static int keystore_init(const ir_cli_args *a)
{
    ir_cli_keystore s = {0};
    ir_err err = {0};
    bool created = false;
    int ret;

    if (ir_cli_load_config(&a->cli, &s.cfg, &err) != IR_OK)
        return ir_cli_failed(a, &err);
    if (open_or_create(&s, &created, &err) != IR_OK)
        ret = ir_cli_failed(a, &err);
    else
        ret = report_token(a, &s, created);
    ir_cli_keystore_logout(&s);
    return ret;
}

const ir_cli_command ir_cli_keystore_init = {
    "keystore init", "check the PKCS#11 token, or create it", init_help, "", 0, NULL,
    keystore_init};

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
    ir_cli_keystore s = {0};
    ir_rc rc = ir_ks_check_name(name, err);

    if (rc == IR_OK)
        rc = ir_cli_keystore_login(cli, &s, err);
    if (rc != IR_OK) {
        ir_cli_keystore_logout(&s);
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
    ir_cli_keystore_logout(&s);
    return rc;
}

static int secret_set_aws(const ir_cli_args *a)
{
    const char *akid = ir_cli_value(a, "--access-key-id");
    ir_err err = {0};

    if (akid == NULL)
        return ir_cli_usage_error(a, "give NAME and --access-key-id ID");
    if (run_set_aws(&a->cli, a->pos[0], akid, &err) != IR_OK)
        return ir_cli_failed(a, &err);
    return IR_CLI_OK;
}

static const ir_cli_opt secret_opts[] = {{"--access-key-id", false}, {NULL, false}};

const ir_cli_command ir_cli_secret_set_aws = {
    "secret set-aws",
    "store an AWS secret key (from stdin) as a non-extractable HMAC key",
    secret_help,
    "NAME",
    0,
    secret_opts,
    secret_set_aws};
