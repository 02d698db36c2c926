/* iotregctl's login to the keystore (cli_keystore_login.h). */
#include "autoconf.h"

#include "cli/cli_keystore_login.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/settings.h"
#include "keystore/subca.h"

/* The session's copy of a PIN asked on the terminal. */
static ir_rc pin_copy_alloc(ir_cli_keystore *s, ir_err *err)
{
    ir_rc rc;

    if (s->pin_secret != NULL)
        return IR_OK;
    rc = ir_secret_new(IR_KS_PIN_MAX - 1, &s->pin_secret, err);
    if (rc == IR_OK)
        s->pin = ir_secret_data(s->pin_secret);
    return rc;
}

ir_rc ir_cli_keystore_ask_pin(void *arg, char *pin, size_t size, ir_err *err)
{
    ir_cli_keystore *s = arg;
    ir_rc rc;

    if (!isatty(STDIN_FILENO))
        return ir_err_set(err, IR_ERR_CONFIG,
                          "no PIN: the PIN file %s does not exist and standard input is not a "
                          "terminal to ask on; create the PIN file (mode 600)",
                          s->cfg->keystore.pin_file != NULL ? s->cfg->keystore.pin_file : "");
    rc = pin_copy_alloc(s, err);
    if (rc == IR_OK)
        rc = ir_ks_read_secret(STDIN_FILENO, "user PIN of the token: ", pin, size, err);
    if (rc == IR_OK)
        rc = ir_secret_set(s->pin_secret, pin, strlen(pin), err);
    return rc;
}

/* Opens the keystore of cfg and logs in. */
static ir_rc session_login(ir_cli_keystore *s, ir_err *err)
{
    ir_keystore_opts opts;
    ir_rc rc = pin_copy_alloc(s, err);

    ir_ks_opts_from_config(s->cfg, &opts);
    if (rc == IR_OK)
        rc = ir_keystore_open(&opts, &s->ks, err);
    if (rc == IR_OK)
        rc = ir_keystore_login(s->ks, ir_cli_keystore_ask_pin, s, err);
    return rc;
}

ir_rc ir_cli_keystore_login(const ir_cli *cli, ir_cli_keystore *s, ir_err *err)
{
    ir_rc rc;

    memset(s, 0, sizeof(*s));
    rc = ir_cli_load_config(cli, &s->cfg, err);
    return rc == IR_OK ? session_login(s, err) : rc;
}

/* The same with a configuration the caller already loaded. */
ir_rc ir_cli_keystore_login_cfg(ir_config *cfg, ir_cli_keystore *s, ir_err *err)
{
    memset(s, 0, sizeof(*s));
    s->cfg = cfg;
    s->borrowed = true;
    return session_login(s, err);
}

void ir_cli_keystore_logout(ir_cli_keystore *s)
{
    ir_keystore_close(s->ks);
    if (!s->borrowed)
        ir_config_free(s->cfg);
    ir_secret_destroy(s->pin_secret);
    s->pin_secret = NULL;
    s->pin = NULL;
}
