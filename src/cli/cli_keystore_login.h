/* iotregctl's login to the keystore: the configuration and the PKCS#11
 * token it names, opened and logged in (PIN file, else asked on the
 * terminal), for the commands that work in the token. Not
 * keystore/ks_session.c (the keystore's own PKCS#11 sessions). */
#ifndef IOTREG_CLI_CLI_KEYSTORE_LOGIN_H
#define IOTREG_CLI_CLI_KEYSTORE_LOGIN_H

#include <stdbool.h>

#include "cli/cli.h"
#include "config/config.h"
#include "core/secret.h"
#include "keystore/keystore.h"

/* The configuration and, once opened, the keystore (logged in). */
typedef struct ir_cli_keystore {
    ir_config *cfg;
    bool borrowed; /* cfg belongs to the caller */
    ir_keystore *ks;
    /* The PIN when asked on the terminal ("" otherwise), for the provider's
     * passphrase callback: the data of pin_secret (locked, not dumped,
     * cleansed at close); allocated by a successful open. */
    char *pin;
    ir_secret *pin_secret;
} ir_cli_keystore;

ir_rc ir_cli_keystore_login(const ir_cli *cli, ir_cli_keystore *s, ir_err *err);
/* The same with a configuration the caller already loaded (and keeps). */
ir_rc ir_cli_keystore_login_cfg(ir_config *cfg, ir_cli_keystore *s, ir_err *err);
void ir_cli_keystore_logout(ir_cli_keystore *s);
/* The PIN callback (an ir_ks_pin_fn with the session as argument): asks on
 * the terminal when the PIN file does not exist. */
ir_rc ir_cli_keystore_ask_pin(void *arg, char *pin, size_t size, ir_err *err);

#endif
