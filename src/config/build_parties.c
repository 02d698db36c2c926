/* Builds the CSP accounts, SubCAs and customers from a document the XSD
 * accepted. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

void ir_build_credentials(ir_build *b, const xmlNode *node, ir_credential_ref *out)
{
    const xmlNode *src = ir_xml_child(node, NULL);

    ir_build_line(b, out, src);
    if (ir_xml_is(src, "keystore")) {
        out->source = IR_CRED_KEYSTORE;
        out->keystore_name = ir_build_attr(b, src, "secret");
        out->access_key_id = ir_build_attr(b, src, "access-key-id");
    } else if (ir_xml_is(src, "environment")) {
        out->source = IR_CRED_ENVIRONMENT;
    } else if (ir_xml_is(src, "profile")) {
        out->source = IR_CRED_PROFILE;
        out->profile = ir_build_attr(b, src, "name");
        out->profile_file = ir_build_attr(b, src, "file");
    } else if (ir_xml_is(src, "access-key")) {
        out->source = IR_CRED_FILE;
        out->access_key_id = ir_build_attr(b, src, "id");
        out->secret_file = ir_build_attr(b, src, "secret-file");
    }
}

static void build_csp_account(ir_build *b, const xmlNode *node, void *item)
{
    ir_csp_account *a = item;

    ir_build_line(b, a, node);
    a->name = ir_build_attr(b, node, "name");
    a->account_id = ir_build_text(b, node, "account-id");
    a->regions = ir_build_texts(b, node, "region", &a->n_regions);
    a->region = a->n_regions > 0 ? a->regions[0] : NULL;
    ir_build_credentials(b, ir_xml_child(node, "credentials"), &a->credentials);
    a->endpoint = ir_build_text(b, node, "endpoint");
    a->allow_http = ir_build_bool(b, node, "allow-http", false);
}

void ir_build_csp_accounts(ir_build *b, const xmlNode *root)
{
    ir_config *cfg = b->cfg;

    cfg->csp_accounts =
        ir_build_list(b, ir_xml_child(root, "csp-accounts"), "csp-account",
                      sizeof(*cfg->csp_accounts), &cfg->n_csp_accounts, build_csp_account);
}

static char *default_key_uri(ir_build *b, const char *name)
{
    char uri[160];

    snprintf(uri, sizeof(uri), "iotreg:object=%s;type=private", name ? name : "");
    return ir_build_strdup(b, uri);
}

static void build_subca(ir_build *b, const xmlNode *node, void *item)
{
    ir_subca_conf *s = item;

    ir_build_line(b, s, node);
    s->name = ir_build_attr(b, node, "name");
    s->key_uri = ir_build_text(b, node, "key-uri");
    if (s->key_uri == NULL)
        s->key_uri = default_key_uri(b, s->name);
    s->cert_file = ir_build_text(b, node, "cert-file");
    s->csp_accounts = ir_build_texts(b, node, "csp-account", &s->n_csp_accounts);
    s->csp_account = s->n_csp_accounts > 0 ? s->csp_accounts[0] : NULL;
    s->tap = ir_build_bool(b, node, "tap", false);
}

void ir_build_subcas(ir_build *b, const xmlNode *root)
{
    ir_config *cfg = b->cfg;

    cfg->subcas = ir_build_list(b, ir_xml_child(root, "subcas"), "subca", sizeof(*cfg->subcas),
                                &cfg->n_subcas, build_subca);
}

static ir_delivery delivery_of(const xmlNode *node)
{
    char *s = ir_xml_text(ir_xml_child(node, "delivery"));
    ir_delivery d = s && strcmp(s, "register-without-ca") == 0 ? IR_DELIVERY_REGISTER_WITHOUT_CA
                                                               : IR_DELIVERY_TRANSFER;

    free(s);
    return d;
}

static void build_customer_access(ir_build *b, const xmlNode *node, ir_customer_conf *c)
{
    const xmlNode *role = ir_xml_child(node, "role");
    const xmlNode *creds = ir_xml_child(node, "credentials");

    c->role_arn = ir_build_attr(b, role, "arn");
    c->external_id = ir_build_attr(b, role, "external-id");
    c->has_credentials = creds != NULL;
    if (creds != NULL)
        ir_build_credentials(b, creds, &c->credentials);
}

/* A boolean attribute the XSD has checked; absent is false. */
static bool attr_is_true(const xmlNode *node, const char *name)
{
    char *s = node != NULL ? ir_xml_attr(node, name) : NULL;
    bool v = s != NULL && strcmp(s, "true") == 0;

    free(s);
    return v;
}

static void build_customer(ir_build *b, const xmlNode *node, void *item)
{
    ir_customer_conf *c = item;
    const xmlNode *policy = ir_xml_child(node, "policy");
    const xmlNode *thing = ir_xml_child(node, "thing");

    ir_build_line(b, c, node);
    c->id = ir_build_attr(b, node, "id");
    c->account_id = ir_build_text(b, node, "account-id");
    c->region = ir_build_text(b, node, "region");
    c->delivery = delivery_of(node);
    build_customer_access(b, node, c);
    c->policy_name = ir_build_attr(b, policy, "name");
    c->policy_document_file = ir_build_attr(b, policy, "document-file");
    c->thing_name_template = ir_build_attr(b, thing, "name-template");
    c->thing_group = ir_build_attr(b, thing, "group");
    c->thing_share_existing = attr_is_true(thing, "share-existing");
    c->activate = ir_build_bool(b, node, "activate", true);
    c->endpoint = ir_build_text(b, node, "endpoint");
    c->allow_http = ir_build_bool(b, node, "allow-http", false);
}

void ir_build_customers(ir_build *b, const xmlNode *root)
{
    ir_config *cfg = b->cfg;

    cfg->customers = ir_build_list(b, ir_xml_child(root, "customers"), "customer",
                                   sizeof(*cfg->customers), &cfg->n_customers, build_customer);
}
