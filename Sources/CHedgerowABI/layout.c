/* Compile-time layout checks; Tests/HedgerowDatapathTests checks the Swift view matches. */
#include <stddef.h>
#include "CHedgerowABI.h"

_Static_assert(sizeof(struct hedgerow_endpoint_key) == 4, "endpoint key layout");
_Static_assert(sizeof(struct hedgerow_endpoint_info) == 32, "endpoint info layout");
_Static_assert(offsetof(struct hedgerow_endpoint_info, ipv6) == 16, "endpoint info ipv6 offset");
_Static_assert(sizeof(struct hedgerow_traffic) == 16, "traffic layout");
