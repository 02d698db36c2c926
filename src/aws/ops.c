#include "autoconf.h"

#include <string.h>

#include "aws/ops.h"

bool ir_aws_error_is(const ir_aws_error *aerr, const char *type)
{
    return aerr != NULL && type != NULL && strcmp(aerr->type, type) == 0;
}
