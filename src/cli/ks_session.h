/* iotregctl's keystore session: the configuration and the keystore it
 * names, opened and logged in (PIN file, else asked on the terminal). */
#ifndef IOTREG_CLI_KS_SESSION_H
#define IOTREG_CLI_KS_SESSION_H

#include <stdbool.h>

#include "cli/cli.h"
#include "config/config.h"
#include "core/secret.h"
#include "keystore/keystore.h"

/* The configuration and, once opened, the keystore (logged in). */
typedef struct ks_session {
    ir_config *cfg;
    bool borrowed; /* cfg belongs to the caller */
    ir_keystore *ks;
    /* The PIN when asked on the terminal ("" otherwise), for the provider's
     * passphrase callback: the data of pin_secret (locked, not dumped,
     * cleansed at close); allocated by a successful open. */
    char *pin;
    ir_secret *pin_secret;
} ks_session;

ir_rc ks_session_open(const ir_cli *cli, ks_session *s, ir_err *err);
/* The same with a configuration the caller already loaded (and keeps). */
ir_rc ks_session_open_cfg(ir_config *cfg, ks_session *s, ir_err *err);
void ks_session_close(ks_session *s);
/* The PIN callback (an ir_ks_pin_fn with the session as argument): asks on
 * the terminal when the PIN file does not exist. */
ir_rc ks_session_ask_pin(void *arg, char *pin, size_t size, ir_err *err);

#endif
